using Router.Core.Embedding;

namespace Router.Training.Embeddings;

/// <summary>
/// Creates the encoder the CLI embeds with: <c>minilm</c> (the core's <see cref="MiniLmEncoder"/> behind its on-disk
/// <see cref="CachedTextEncoder"/>, so each prompt is embedded once ever), <c>minilm-int8</c> (the same with its
/// weights quantised to int8, as the gateway runs with <c>Router:MixLlm:Precision=Int8</c>) or <c>hashing</c> (no
/// weights, for quick runs and tests), and embeds whole data sets with a progress bar.
/// </summary>
public static class EncoderFactory
{
    /// <summary>Encoder names the <c>--encoder</c> option accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["minilm", "minilm-int8", "hashing"];

    /// <summary>The default cache folder: <c>$ROUTER_CACHE</c> or <c>.cache/embeddings</c> under the current directory (git-ignored).</summary>
    public static string DefaultCacheFolder =>
        Environment.GetEnvironmentVariable("ROUTER_CACHE") is { Length: > 0 } env ? env : Path.Combine(".cache", "embeddings");

    /// <summary>Creates the named encoder; <paramref name="cacheFolder"/> null disables the disk cache.</summary>
    public static ITextEncoder Create(string name, string? cacheFolder)
    {
        ITextEncoder inner = name switch
        {
            "minilm" => new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = Math.Max(1, Environment.ProcessorCount) }),
            "minilm-int8" => new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = Math.Max(1, Environment.ProcessorCount), Precision = EncoderPrecision.Int8 }),
            "hashing" => new HashingTextEncoder(),
            _ => throw new ArgumentException($"unknown encoder '{name}' (expected one of: {string.Join(", ", Names)})", nameof(name)),
        };
        return cacheFolder is null || name == "hashing" ? inner : new CachedTextEncoder(inner, cacheFolder);
    }

    /// <summary>Embeds every text (row i for text i) with a progress bar.</summary>
    public static float[] EmbedAll(ITextEncoder encoder, IReadOnlyList<string> texts, string label, CancellationToken cancellationToken)
    {
        float[] result = [];
        ProgressUi.Run($"Embedding {label} ({texts.Count} texts, {encoder.ModelId})", texts.Count, advance =>
        {
            var done = 0;
            result = EmbeddingBatch.EncodeAll(encoder, texts, 32, (d, _) =>
            {
                advance(d - done);
                done = d;
            }, cancellationToken);
        });
        return result;
    }
}
