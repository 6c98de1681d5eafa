using System.Buffers;
using Router.Core.Embedding;
using Router.Core.Routing;

namespace Router.Core.Decision;

/// <summary>
/// <see cref="IRouter"/> over the MixLLM engine: encodes <see cref="RoutingRequest.QueryText"/>, applies the head, and
/// lets <see cref="MixLlmEngine.Decide"/> rank the candidates. <see cref="RoutingDecision.Embedding"/> is the projected
/// embedding: keep it in the decision record and put it in the feedback events. Thread-safe.
/// </summary>
public sealed class MixLlmRouter : IRouter
{
    private readonly ITextEncoder _encoder;

    /// <summary>Routes with <paramref name="engine"/>; <paramref name="encoder"/> must produce what the engine was trained on.</summary>
    /// <exception cref="ArgumentException">The encoder's dimension differs from the engine's.</exception>
    public MixLlmRouter(MixLlmEngine engine, ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(encoder);
        if (encoder.Dimension != engine.InputDimension)
        {
            throw new ArgumentException($"Encoder {encoder.ModelId} gives {encoder.Dimension} dimensions; the engine expects {engine.InputDimension}.", nameof(encoder));
        }

        Engine = engine;
        _encoder = encoder;
    }

    /// <summary>The engine (apply learning events to it).</summary>
    public MixLlmEngine Engine { get; }

    /// <summary>True when the encoder is exactly the one the engine was trained with (same <see cref="ITextEncoder.ModelId"/>).</summary>
    public bool EncoderMatches => _encoder.ModelId == Engine.EncoderId;

    /// <inheritdoc />
    public ValueTask<RoutingDecision> RouteAsync(RoutingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Candidates.Count == 0)
        {
            throw new ArgumentException("No candidate arms.", nameof(request));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var raw = ArrayPool<float>.Shared.Rent(_encoder.Dimension);
        try
        {
            _encoder.Encode([request.QueryText ?? ""], raw.AsSpan(0, _encoder.Dimension), cancellationToken);
            Span<float> embedding = stackalloc float[Engine.EmbeddingDimension];
            Engine.Project(raw.AsSpan(0, _encoder.Dimension), embedding);
            return ValueTask.FromResult(Engine.Decide(request.RequestId, embedding, request.PromptTokens, request.Candidates, request.Policy));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(raw);
        }
    }
}
