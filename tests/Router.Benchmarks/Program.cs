using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Router.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
