using System.CommandLine;

var root = new RootCommand("router: train, evaluate, simulate, serve-replay, bench");
return await root.Parse(args).InvokeAsync();
