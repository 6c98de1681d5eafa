using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Routing;

namespace Router.Core.DependencyInjection;

/// <summary>Registers the MixLLM routing engine (STYLE.md #6: TryAdd, so hosts and tests can swap any part).</summary>
public static partial class MixLlmServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="MixLlmOptions"/> (validated at start), <see cref="TimeProvider"/>, the <see cref="ITextEncoder"/>
    /// (<see cref="MiniLmEncoder"/>), the <see cref="MixLlmEngine"/> (from the checkpoint, else untrained), the
    /// <see cref="IQueryEncoder"/> of the hot path (<see cref="QueryEmbeddingCache"/> over <see cref="MicroBatchingQueryEncoder"/>),
    /// the <see cref="MixLlmRouter"/>, and <see cref="IRouter"/> → <see cref="MixLlmRouter"/> unless an IRouter is registered.
    /// All singletons.
    /// </summary>
    public static IServiceCollection AddMixLlmRouter(this IServiceCollection services, Action<MixLlmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<MixLlmOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder
            .PostConfigure(o => o.CheckpointPath = string.IsNullOrWhiteSpace(o.CheckpointPath) ? null : ConfiguredPath.Resolve(o.CheckpointPath))
            .Validate(o => o.CheckpointPath is null || File.Exists(o.CheckpointPath),
                "CheckpointPath names no file (relative paths are looked up from the working directory and its parents, then the application folder); leave it unset to start untrained.")
            .Validate(o => o.MaxTokens is >= 3 and <= 512, "MixLlm:MaxTokens must be in [3, 512].")
            .Validate(o => o.IntraOpThreads >= 0, "MixLlm:IntraOpThreads must be >= 0.")
            .Validate(o => o.EmbeddingCacheEntries == 0 || o.EmbeddingCacheEntries >= 2, "MixLlm:EmbeddingCacheEntries must be 0 (off) or >= 2.")
            .Validate(o => o.EncoderMaxBatch is >= 1 and <= 256, "MixLlm:EncoderMaxBatch must be in [1, 256].")
            .Validate(o => o.EncoderBatchWindowMs is >= 0 and <= 100, "MixLlm:EncoderBatchWindowMs must be in [0, 100].")
            .Validate(o => o.DefaultHeadDimension >= 0, "MixLlm:DefaultHeadDimension must be >= 0.")
            .Validate(o => string.IsNullOrEmpty(o.ModelDirectory) || Directory.Exists(o.ModelDirectory), "MixLlm:ModelDirectory does not exist.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITextEncoder>(sp => new MiniLmEncoder(
            sp.GetRequiredService<IOptions<MixLlmOptions>>().Value.ToEncoderOptions(),
            sp.GetService<ILogger<MiniLmEncoder>>()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MixLlmOptions>>().Value;
            var encoder = sp.GetRequiredService<ITextEncoder>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger("Router.Core.MixLlm") ?? NullLogger.Instance;
            if (options.CheckpointPath is null)
            {
                LogNoCheckpoint(logger);
                return MixLlmEngine.CreateDefault(encoder.ModelId, encoder.Dimension, options.DefaultHeadDimension, timeProvider: time);
            }

            var engine = MixLlmEngine.Load(options.CheckpointPath, time);
            if (engine.EncoderId != encoder.ModelId)
            {
                LogEncoderMismatch(logger, engine.EncoderId, encoder.ModelId);
            }

            LogCheckpointLoaded(logger, options.CheckpointPath, engine.Arms.Count, engine.EmbeddingDimension);
            return engine;
        });
        services.TryAddSingleton(sp => new MicroBatchingQueryEncoder(
            sp.GetRequiredService<ITextEncoder>(),
            sp.GetRequiredService<IOptions<MixLlmOptions>>().Value.EncoderMaxBatch,
            TimeSpan.FromMilliseconds(sp.GetRequiredService<IOptions<MixLlmOptions>>().Value.EncoderBatchWindowMs)));
        services.TryAddSingleton<IQueryEncoder>(sp =>
        {
            var batching = sp.GetRequiredService<MicroBatchingQueryEncoder>();
            var entries = sp.GetRequiredService<IOptions<MixLlmOptions>>().Value.EmbeddingCacheEntries;
            return entries == 0 ? batching : new QueryEmbeddingCache(batching, entries);
        });
        services.TryAddSingleton(sp => new MixLlmRouter(
            sp.GetRequiredService<MixLlmEngine>(), sp.GetRequiredService<ITextEncoder>(), sp.GetRequiredService<IQueryEncoder>()));
        services.TryAddSingleton<IRouter>(sp => sp.GetRequiredService<MixLlmRouter>());
        return services;
    }

    [LoggerMessage(10, LogLevel.Warning, "No MixLLM checkpoint configured: starting untrained (cold-start priors, random projection head)")]
    private static partial void LogNoCheckpoint(ILogger logger);

    [LoggerMessage(11, LogLevel.Warning, "Checkpoint was trained with encoder {Trained}, but {Running} is running: predictions may be off")]
    private static partial void LogEncoderMismatch(ILogger logger, string trained, string running);

    [LoggerMessage(12, LogLevel.Information, "MixLLM checkpoint {Path} loaded: {Arms} arms, {Dimension} dims")]
    private static partial void LogCheckpointLoaded(ILogger logger, string path, int arms, int dimension);
}
