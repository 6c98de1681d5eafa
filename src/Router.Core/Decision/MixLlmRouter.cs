using System.Buffers;
using Router.Core.Embedding;
using Router.Core.Personalisation;
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
    private readonly IQueryEncoder? _queries;
    private readonly PersonalPreferenceModel? _personal;

    /// <summary>Routes with <paramref name="engine"/>; <paramref name="encoder"/> must produce what the engine was trained on.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="encoder">The encoder (its <see cref="ITextEncoder.ModelId"/> is compared with the engine's).</param>
    /// <param name="queries">
    /// Optional: how each query is embedded on the hot path (e.g. <see cref="QueryEmbeddingCache"/> over a
    /// <see cref="MicroBatchingQueryEncoder"/> over <paramref name="encoder"/>); null runs <paramref name="encoder"/> per query.
    /// </param>
    /// <exception cref="ArgumentException">The encoder's dimension differs from the engine's.</exception>
    /// <param name="personal">Optional per-user preferences: a request with a <see cref="RoutingRequest.UserId"/> gets that
    /// user's personal terms (docs/personalisation.md) unless it carries <see cref="RoutingRequest.PersonalTerms"/>.</param>
    public MixLlmRouter(MixLlmEngine engine, ITextEncoder encoder, IQueryEncoder? queries = null, PersonalPreferenceModel? personal = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(encoder);
        if (encoder.Dimension != engine.InputDimension)
        {
            throw new ArgumentException($"Encoder {encoder.ModelId} gives {encoder.Dimension} dimensions; the engine expects {engine.InputDimension}.", nameof(encoder));
        }

        if (queries is not null && (queries.Dimension != encoder.Dimension || queries.ModelId != encoder.ModelId))
        {
            throw new ArgumentException($"Query encoder {queries.ModelId} ({queries.Dimension} dims) is not encoder {encoder.ModelId}.", nameof(queries));
        }

        Engine = engine;
        _encoder = encoder;
        _queries = queries;
        _personal = personal;
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
        return _queries is null ? ValueTask.FromResult(RouteNow(request, cancellationToken)) : RouteBatchedAsync(request, cancellationToken);
    }

    private RoutingDecision RouteNow(RoutingRequest request, CancellationToken cancellationToken)
    {
        var raw = ArrayPool<float>.Shared.Rent(_encoder.Dimension);
        try
        {
            _encoder.Encode([request.QueryText ?? ""], raw.AsSpan(0, _encoder.Dimension), cancellationToken);
            return Decide(request, raw.AsSpan(0, _encoder.Dimension));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(raw);
        }
    }

    private async ValueTask<RoutingDecision> RouteBatchedAsync(RoutingRequest request, CancellationToken cancellationToken)
    {
        var raw = ArrayPool<float>.Shared.Rent(_encoder.Dimension);
        try
        {
            await _queries!.EncodeAsync(request.QueryText ?? "", raw.AsMemory(0, _encoder.Dimension), cancellationToken).ConfigureAwait(false);
            return Decide(request, raw.AsSpan(0, _encoder.Dimension));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(raw);
        }
    }

    private RoutingDecision Decide(RoutingRequest request, ReadOnlySpan<float> raw)
    {
        Span<float> embedding = stackalloc float[Engine.EmbeddingDimension];
        Engine.Project(raw, embedding);
        var terms = request.PersonalTerms;
        if (terms.IsEmpty && request.UserId is { } user && _personal is not null && _personal.Contains(user))
        {
            terms = PersonalTerms(_personal, user, embedding, request);
        }

        return Engine.Decide(request.RequestId, embedding, request.PromptTokens, request.Candidates, request.Policy, terms.Span);
    }

    // The user's term per candidate from the shared predictions' features (PersonalFeatures), as the fold learned them.
    private double[] PersonalTerms(PersonalPreferenceModel personal, string user, ReadOnlySpan<float> embedding, RoutingRequest request)
    {
        var candidates = request.Candidates;
        var features = new double[candidates.Count * PersonalFeatures.Count];
        var names = new string[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var prediction = Engine.Predict(candidates[i], embedding, request.PromptTokens, candidates);
            PersonalFeatures.Write(prediction.Quality, prediction.CompletionTokens, features.AsSpan(i * PersonalFeatures.Count, PersonalFeatures.Count));
            names[i] = candidates[i].Name;
        }

        var terms = new double[candidates.Count];
        personal.Terms(user, names, features, terms);
        return terms;
    }
}
