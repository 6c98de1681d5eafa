using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Router.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Router.Benchmarks.DecisionBenchmarks).Assembly).Run(args);
