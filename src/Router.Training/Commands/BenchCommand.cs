using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Router.Core.Diagnostics;
using Router.Core.Embedding;

namespace Router.Training.Commands;

/// <summary>
/// <c>router bench</c>: decision-path latency on this machine, one thread. Encoder: all-MiniLM-L6-v2 (fp32, or int8
/// with <c>--precision Int8</c>) on a fixed set of short (≤ 32 token) queries, or with <c>--long</c> prompts that fill
/// its 128-token window, one query per run; decision: head projection + scoring + ranking for a warm
/// synthetic engine (no encoder). <c>--json</c> prints
/// <c>{"encoder_p50_ms","encoder_p99_ms","decision_p50_us","decision_p99_us","arms","dim","tokens",...}</c>.
/// </summary>
public static class BenchCommand
{
    /// <summary>The <c>bench</c> command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var arms = new Option<int>("--arms") { Description = "Candidate arms per decision.", DefaultValueFactory = _ => 16 };
        var encoderRuns = new Option<int>("--encoder-runs") { Description = "Encoder runs to time.", DefaultValueFactory = _ => 300 };
        var decisions = new Option<int>("--decisions") { Description = "Decisions to time.", DefaultValueFactory = _ => 20_000 };
        var headDim = new Option<int>("--dim") { Description = "Head output dimension of the synthetic engine.", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => 1 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Encoder token window.", DefaultValueFactory = _ => 128 };
        var cuda = new Option<bool>("--cuda") { Description = "Use the CUDA execution provider when available." };
        var modelDir = new Option<string?>("--model-dir") { Description = "Folder with model.onnx and vocab.txt (default: beside the tool)." };
        var longQueries = new Option<bool>("--long") { Description = "Time the encoder on prompts that fill its 128-token window instead of short queries." };
        var precision = new Option<EncoderPrecision>("--precision") { Description = "Encoder weights: Float32 (default) or Int8 (quantised at load)." };

        var command = new Command("bench", "Decision-path latency figures (encoder and decision), one thread.");
        foreach (var option in new Option[] { json, arms, encoderRuns, decisions, headDim, threads, maxTokens, cuda, modelDir, precision, longQueries })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var armCount = parse.GetValue(arms);
            var runs = parse.GetValue(encoderRuns);
            var decisionCount = parse.GetValue(decisions);
            var dim = parse.GetValue(headDim);
            if (armCount < 1 || runs < 1 || decisionCount < 1 || dim < 1)
            {
                return Task.FromResult(Cli.Fail("--arms, --encoder-runs, --decisions and --dim must be positive"));
            }

            var options = new MiniLmEncoderOptions
            {
                IntraOpThreads = parse.GetValue(threads),
                MaxTokens = parse.GetValue(maxTokens),
                UseCuda = parse.GetValue(cuda),
                ModelDirectory = parse.GetValue(modelDir),
                Precision = parse.GetValue(precision),
            };
            try
            {
                options.Validate();
                using var encoder = new MiniLmEncoder(options);
                var result = EngineBenchmark.Run(encoder, runs, decisionCount, armCount, dim, parse.GetValue(longQueries), cancellationToken);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(result, EngineBenchmarkJsonContext.Default.EngineBenchmarkResult));
                }
                else
                {
                    var c = CultureInfo.InvariantCulture;
                    Console.WriteLine(string.Create(c, $"encoder  p50 {result.EncoderP50Ms:F2} ms  p99 {result.EncoderP99Ms:F2} ms  ({result.Tokens:F1} tokens on average, {result.Device})"));
                    Console.WriteLine(string.Create(c, $"decision p50 {result.DecisionP50Us:F1} µs  p99 {result.DecisionP99Us:F1} µs  ({result.Arms} arms, {result.Dimension} dims)"));
                }

                return Task.FromResult(0);
            }
            catch (Exception ex) when (ex is FileNotFoundException or ArgumentException or InvalidOperationException)
            {
                return Task.FromResult(Cli.Fail(ex.Message));
            }
        });
        return command;
    }
}
