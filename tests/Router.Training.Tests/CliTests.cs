using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Router.Training.Tests;

/// <summary>The CLI's error boundary: bad input gives one clear line and exit code 2, never a stack trace.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Evaluate_MissingFile_OneLineErrorExit2()
    {
        var (code, stderr) = await Router("evaluate", "--train", "/nonexistent/train.csv", "--test", "/nonexistent/test.csv", "--out", DataFiles.NewTempFolder(), "--encoder", "hashing");

        Assert.Equal(2, code);
        Assert.Contains("router: error: bad data: /nonexistent/train.csv: no such file or folder", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_MalformedCsv_NamesFileLineColumn()
    {
        var dir = DataFiles.NewTempFolder();
        var bad = Path.Combine(dir, "bad.csv");
        await File.WriteAllTextAsync(bad, ",sample_id,prompt,eval_name,m1,m1|total_cost\n0,s,\"p\",t,notanumber,0.1\n");

        var (code, stderr) = await Router("train", "--data", bad, "--out", dir, "--encoder", "hashing");

        Assert.Equal(2, code);
        Assert.Contains(bad + ":2:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_TinySubset_WritesACheckpointTheEngineLoads()
    {
        var data = DataFiles.CutRouterBench(8);
        var outDir = DataFiles.NewTempFolder();

        var (code, stderr) = await Router("train", "--data", data, "--out", outDir, "--encoder", "hashing");

        Assert.True(code == 0, stderr);
        var engine = global::Router.Core.Decision.MixLlmEngine.Load(Path.Combine(outDir, "checkpoint.json"));
        Assert.Equal(11, engine.Arms.Count);
        Assert.Contains("gpt-4-1106-preview", engine.Arms);
        Assert.StartsWith("hashing", engine.EncoderId, StringComparison.Ordinal);
        Assert.True(engine.CostReference > 0);
    }

    [Fact]
    public async Task Train_KMeansTags_TrainsTheHeadOnRawEmbeddingClusters()
    {
        var data = DataFiles.CutRouterBench(8);
        var outDir = DataFiles.NewTempFolder();

        var (code, stdout, stderr) = await RouterCli.RunAsync("train", "--data", data, "--out", outDir, "--encoder", "hashing", "--tags", "kmeans", "--clusters", "3");

        Assert.True(code == 0, stderr);
        Assert.Contains("3 tag clusters", stdout, StringComparison.Ordinal);
        Assert.Contains("tags: kmeans", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "checkpoint.json")));
    }

    [Fact]
    public async Task Train_InsTagTags_AsksTheTaggingModelForEveryQueryAndClustersItsTags()
    {
        // A local OpenAI-protocol tagging model: code prompts get coding tags, the rest reasoning tags.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var tagger = builder.Build();
        var asked = 0;
        tagger.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            Interlocked.Increment(ref asked);
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var query = body.RootElement.GetProperty("messages")[1].GetProperty("content").GetString() ?? "";
            var tags = query.Contains("function", StringComparison.OrdinalIgnoreCase)
                ? """[{"tag": "python programming", "explanation": "."}, {"tag": "coding", "explanation": "."}]"""
                : """[{"tag": "commonsense reasoning", "explanation": "."}]""";
            return Results.Json(new
            {
                id = "c", @object = "chat.completion", created = 1, model = "tagger",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = tags }, finish_reason = "stop" } },
            });
        });
        await tagger.StartAsync();
        var url = tagger.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
        var data = DataFiles.CutRouterBench(8);
        var outDir = DataFiles.NewTempFolder();

        var (code, stdout, stderr) = await RouterCli.RunAsync(
            "train", "--data", data, "--out", outDir, "--encoder", "hashing", "--tags", "instag", "--clusters", "2",
            "--tagger-url", url, "--tagger-model", "tagger");

        Assert.True(code == 0, stderr);
        Assert.Equal(24, asked); // 8 rows from each of the 3 RouterBench files
        Assert.Contains("2 tag clusters", stdout, StringComparison.Ordinal);
        Assert.Contains("tags: instag", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_InsTagWithoutTaggingModel_ClearError()
    {
        var (code, _, stderr) = await RouterCli.RunAsync("train", "--data", DataFiles.CutRouterBench(4), "--out", DataFiles.NewTempFolder(), "--encoder", "hashing", "--tags", "instag");

        Assert.Equal(2, code);
        Assert.Contains("--tags instag needs --tagger-url and --tagger-model", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_RootCommand_DescriptionNamesEveryCommand()
    {
        var (code, stdout, _) = await RouterCli.RunAsync("--help");

        Assert.Equal(0, code);
        var description = stdout.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("router:", StringComparison.Ordinal));
        foreach (var command in new[] { "train", "evaluate", "cv", "simulate", "serve-replay", "bench" })
        {
            Assert.Contains(command, description.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [Theory]
    [InlineData("evaluate --data x.csv --out o --bogus", "Unrecognized command or argument '--bogus'")]
    [InlineData("evaluate --data x.csv --out o --seed 99999999999", "Cannot parse argument '99999999999' for option '--seed'")]
    [InlineData("evaluate --data x.csv --out o --reveal x", "Cannot parse argument 'x' for option '--reveal'")]
    [InlineData("train --data x.csv", "Option '--out' is required")]
    [InlineData("bench --bogus", "Unrecognized command or argument '--bogus'")]
    [InlineData("frobnicate", "Unrecognized command or argument 'frobnicate'")]
    public async Task AnyCommand_CommandLineParseError_RouterErrorExit2(string args, string expected)
    {
        var (code, stderr) = await Router(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains("router: error: " + expected, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evaluate --test-fraction 0", "--test-fraction must be in (0, 1)")]
    [InlineData("evaluate --test-fraction 1", "--test-fraction must be in (0, 1)")]
    [InlineData("evaluate --test-fraction NaN", "--test-fraction must be in (0, 1)")]
    [InlineData("evaluate --test-fraction 0.01", "leaves the test split empty")]
    [InlineData("evaluate --test-fraction 0.99", "leaves the training split empty")]
    [InlineData("evaluate --time-limit -1", "--time-limit must be a positive number of seconds")]
    [InlineData("evaluate --time-limit Infinity", "--time-limit must be a positive number of seconds")]
    [InlineData("evaluate --time-limit 5 --arrival-rate NaN", "--arrival-rate must be a positive number")]
    [InlineData("evaluate --reveal NaN", "--reveal fractions must be in [0, 1]")]
    [InlineData("evaluate --policies nope", "--policies: unknown policy 'nope'")]
    [InlineData("evaluate --mlp-epochs 0", "--mlp-epochs must be >= 1")]
    [InlineData("simulate --test-fraction 1", "--test-fraction must be in (0, 1)")]
    [InlineData("simulate --splits NaN:1", "--splits: 'NaN:1' is not OFFLINE:ONLINE")]
    [InlineData("simulate --splits ,", "names no OFFLINE:ONLINE split")]
    [InlineData("simulate --budget-pct NaN", "--budget-pct must be a positive percentage")]
    [InlineData("cv --folds 0", "--folds must be >= 2")]
    [InlineData("cv --folds 1", "--folds must be >= 2")]
    [InlineData("cv --folds 9", "leave some folds empty")]
    [InlineData("cv --reveal 2", "--reveal fractions must be in [0, 1]")]
    [InlineData("cv --core-rhos 0", "--core-rhos must be finite and > 0")]
    [InlineData("cv --grid huge", "Argument 'huge' not recognized")]
    [InlineData("train --clusters 0", "--clusters must be >= 1")]
    [InlineData("train --tags nope", "--tags must be one of")]
    [InlineData("serve-replay --latency-scale NaN", "--latency-scale and --ttft must be finite")]
    public async Task DataCommands_BadOptionValue_ClearErrorExit2(string args, string expected)
    {
        // 3 tasks × 4 queries: a 0.01 share rounds to no test query, 0.99 to no training query, 9 folds leave some empty.
        var data = DataFiles.CutRouterBench(4);
        var parts = args.Split(' ');
        string[] common = parts[0] switch
        {
            "evaluate" or "simulate" => ["--data", data, "--out", DataFiles.NewTempFolder(), "--encoder", "hashing"],
            "train" => ["--data", data, "--out", DataFiles.NewTempFolder(), "--encoder", "hashing"],
            "serve-replay" => ["--data", data, "--urls", "http://127.0.0.1:0"],
            _ => ["--data", data, "--encoder", "hashing"],
        };

        var (code, stderr) = await Router([parts[0], .. common, .. parts[1..]]);

        Assert.Equal(2, code);
        Assert.StartsWith("router: error: ", stderr.Split('\n').Single(l => l.Contains(expected, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    [InlineData("simulate")]
    public async Task OutputCommands_OutIsAFileOrEmpty_FailsUpFrontWithExit2(string command)
    {
        var data = DataFiles.CutRouterBench(4);
        var file = Path.Combine(DataFiles.NewTempFolder(), "taken");
        await File.WriteAllTextAsync(file, "x");

        var (code, stderr) = await Router(command, "--data", data, "--out", file, "--encoder", "hashing");
        var (emptyCode, emptyStderr) = await Router(command, "--data", data, "--out", "", "--encoder", "hashing");

        Assert.Equal(2, code);
        Assert.StartsWith($"router: error: --out '{file}' is a file, not a folder", stderr, StringComparison.Ordinal); // before "Embedding prompts"
        Assert.Equal(2, emptyCode);
        Assert.Contains("router: error: --out must name a folder", emptyStderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl", "--urls: 'notaurl' is not an http(s)://host:port address")]
    [InlineData("ftp://127.0.0.1:1", "--urls: 'ftp://127.0.0.1:1' is not an http(s)://host:port address")]
    [InlineData("http://127.0.0.1:99999", "--urls: 'http://127.0.0.1:99999' is not an http(s)://host:port address")]
    [InlineData("", "--urls must name at least one address")]
    public async Task ServeReplay_BadUrls_OneLineNoHostTrace(string urls, string expected)
    {
        var (code, stderr) = await Router("serve-replay", "--data", DataFiles.CutRouterBench(2), "--urls", urls);

        Assert.Equal(2, code);
        Assert.Contains("router: error: " + expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeReplay_BusyPort_OneLineNoHostTrace()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;

        var (code, stdout, stderr) = await RouterCli.RunAsync("serve-replay", "--data", DataFiles.CutRouterBench(2), "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(2, code);
        Assert.Contains($"router: error: --urls: Failed to bind to address http://127.0.0.1:{port}: address already in use", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_BadCounts_RouterErrorExit2()
    {
        var (code, stderr) = await Router("bench", "--arms", "0");
        var (weightsCode, weightsStderr) = await Router("bench", "--model-dir", "/nonexistent", "--encoder-runs", "1", "--decisions", "1");

        Assert.Equal(2, code);
        Assert.Contains("router: error: --arms, --encoder-runs, --decisions and --dim must be positive", stderr, StringComparison.Ordinal);
        Assert.Equal(2, weightsCode); // was 1, with a bare "error:" prefix
        Assert.Contains("router: error: Encoder weights not found in '/nonexistent'", weightsStderr, StringComparison.Ordinal);
    }


    private static async Task<(int Code, string Stderr)> Router(params string[] args)
    {
        var (code, _, stderr) = await RouterCli.RunAsync(args);
        return (code, stderr);
    }
}
