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

    // Off-policy evaluation from the gateway's decision log.
    OpeCommand.Create(),
    DecisionsCommand.Create(),

    // The budget autopilot's end-to-end check against a running gateway.
    AutopilotCheckCommand.Create(),
};
var parse = root.Parse(args);

// Unknown options, missing required options and unparsable values are bad input like any other: one line each in the
// CLI's error format and exit code 2 (System.CommandLine's own handler prints help and returns 1).
return parse.Errors.Count > 0 ? Cli.ParseErrors(parse) : await parse.InvokeAsync();
