using System.CommandLine;
using Router.Training.Arms;
using Router.Training.Data;
using Router.Training.Replay;

namespace Router.Training.Commands;

/// <summary><c>router serve-replay</c>: an OpenAI-compatible upstream answering from recorded data.</summary>
internal static class ServeReplayCommand
{
    public static Command Create()
    {
        var data = Cli.PathsOption("--data", "recorded data: files or folders (RouterBench CSV carries responses)", true);
        var urls = new Option<string>("--urls") { Description = "listen address(es), e.g. http://127.0.0.1:8081", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
        var arms = new Option<string?>("--arms") { Description = "arms file giving per-model time_to_first_token_seconds and tokens_per_second (default deploy/arms/routerbench.json)" };
        var scale = new Option<double>("--latency-scale") { Description = "multiplies every simulated delay (0 = instant)", DefaultValueFactory = _ => 1 };
        var ttft = new Option<double>("--ttft") { Description = "time to first token (s) for models the arms file lacks", DefaultValueFactory = _ => 0.5 };
        var tps = new Option<double>("--tokens-per-second") { Description = "generation speed for models the arms file lacks", DefaultValueFactory = _ => 50 };
        var cmd = new Command("serve-replay", "serve recorded answers as an OpenAI-compatible upstream (chat completions, streaming, /v1/models)")
        {
            data, urls, arms, scale, ttft, tps,
        };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(async () =>
        {
            if (!Cli.InRange(parse.GetValue(scale), 0) || !Cli.InRange(parse.GetValue(tps), 0) || parse.GetValue(tps) == 0 || !Cli.InRange(parse.GetValue(ttft), 0))
            {
                throw new ArgumentException("--latency-scale and --ttft must be finite and >= 0, --tokens-per-second finite and > 0");
            }

            CheckUrls(parse.GetValue(urls));
            var dataset = DatasetLoader.Load(parse.GetValue(data)!, ct);
            var armsPath = ArmsFile.Locate(parse.GetValue(arms));
            var armDefs = armsPath is null ? [] : ArmsFile.Load(armsPath);
            var store = new ReplayStore(dataset);
            var options = new ReplayOptions
            {
                LatencyScale = parse.GetValue(scale),
                DefaultTimeToFirstTokenSeconds = parse.GetValue(ttft),
                DefaultTokensPerSecond = parse.GetValue(tps),
            };
            await using var app = ReplayServer.Build(store, armDefs, options, parse.GetValue(urls)!);
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                // Kestrel: "Failed to bind to address ...: address already in use."
                throw new ArgumentException($"--urls: {e.Message}", e);
            }

            Console.WriteLine($"serve-replay: {store.Models.Count} models, {store.Count} recorded answers, listening on {string.Join(", ", app.Urls)}");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: stop cleanly.
            }

            await app.StopAsync(CancellationToken.None);
            return 0;
        }));
        return cmd;
    }

    // Kestrel accepts http(s)://host:port, with '*' or '+' for any host, several separated by ';'. Checked here so a
    // typo is one line, not a hosting failure logged with its stack trace.
    private static void CheckUrls(string? urls)
    {
        Cli.Check(!string.IsNullOrWhiteSpace(urls), "--urls must name at least one address, e.g. http://127.0.0.1:8081");
        foreach (var url in urls!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var probe = url.Replace("://*", "://any-host", StringComparison.Ordinal).Replace("://+", "://any-host", StringComparison.Ordinal);
            Cli.Check(Uri.TryCreate(probe, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && url.Contains("://", StringComparison.Ordinal),
                $"--urls: '{url}' is not an http(s)://host:port address");
        }
    }
}
