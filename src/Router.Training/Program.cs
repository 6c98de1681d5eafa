using System.CommandLine;
using Router.Training.Commands;

var root = new RootCommand("router: train, evaluate, cv, simulate, serve-replay, bench")
{
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    CrossValidateCommand.Create(),
    SimulateCommand.Create(),
    ServeReplayCommand.Create(),

    // The core helper's decision-path benchmark (src/Router.Training/Commands/BenchCommand.cs).
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
