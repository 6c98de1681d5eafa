using System.Collections.Immutable;
using System.Globalization;
using Router.Core.Arms;
using Router.Core.Latency;

namespace Router.Core.Decision;

// The per-arm predictions of MixLlmEngine (DESIGN.md steps 5-7, and the κ·s^df term of step 10): the quality and
// length predictors, the LinUCB uncertainty sqrt(zᵀA⁻¹z), the feedback term, the decayed latency estimate, and the
// cold-start prior for arms without learned state. Scoring and the meta decision that combine them: MixLlmEngine.cs.
// (A plain comment, not XML: doc comments on several parts of a partial type are merged into the type's docs.)
public sealed partial class MixLlmEngine
{
    /// <summary>λ-independent predictions for one arm (cold-start prior when it has no state).</summary>
    public ArmPrediction Predict(ArmDefinition arm, ReadOnlySpan<float> embedding, int promptTokens, IReadOnlyList<ArmDefinition>? peers = null)
    {
        ArgumentNullException.ThrowIfNull(arm);
        CheckEmbedding(embedding);
        Span<double> z = stackalloc double[FeatureDimension];
        Features(embedding, z);
        return PredictCore(Volatile.Read(ref _arms), arm, z, promptTokens, peers ?? [arm]);
    }

    /// <summary>
    /// λ-independent predictions for many queries at once (evaluation sweeps): row-major <c>N × arms.Count</c>, where
    /// <paramref name="embeddings"/> holds N projected embeddings and <paramref name="promptTokens"/> N counts.
    /// Compose a score for any policy as <c>λ·Quality − CostUsd/c_ref + α·Uncertainty − β·max(0, ExpectedSeconds −
    /// target) + λ·FeedbackTerm</c> (c_ref: <see cref="CostReference"/>, or the row's maximum cost when it is 0) — exactly
    /// what <see cref="Score"/> computes.
    /// </summary>
    public ArmPrediction[] PredictAll(ReadOnlySpan<float> embeddings, ReadOnlySpan<int> promptTokens, IReadOnlyList<ArmDefinition> arms)
    {
        ArgumentNullException.ThrowIfNull(arms);
        var k = EmbeddingDimension;
        var n = promptTokens.Length;
        if (embeddings.Length != n * k)
        {
            throw new ArgumentException($"Expected {n} × {k} floats.", nameof(embeddings));
        }

        var state = Volatile.Read(ref _arms);
        var result = new ArmPrediction[n * arms.Count];
        Span<double> z = stackalloc double[FeatureDimension];
        for (var i = 0; i < n; i++)
        {
            Features(embeddings.Slice(i * k, k), z);
            for (var a = 0; a < arms.Count; a++)
            {
                result[(i * arms.Count) + a] = PredictCore(state, arms[a], z, promptTokens[i], arms);
            }
        }

        return result;
    }

    private ArmPrediction PredictCore(ImmutableDictionary<string, ArmModel> arms, ArmDefinition arm, ReadOnlySpan<double> z, int promptTokens, IReadOnlyList<ArmDefinition> peers)
    {
        double quality;
        double logLength;
        double variance;
        double feedback = 0;
        var ttft = arm.TimeToFirstTokenSeconds;
        var tps = arm.TokensPerSecond;
        var known = arms.TryGetValue(arm.Name, out var model);
        if (known)
        {
            quality = model!.QualityMlp is { } mlp ? mlp.Predict(z) : model.Quality.Predict(z);
            logLength = model.Length.Predict(z);
            variance = model.Quality.Variance(z);
            if (model.FeedbackCount > 0)
            {
                var s = Dot(model.FeedbackWeights, z);
                feedback = s / (model.FeedbackVariance + Options.FeedbackEpsilon);
            }

            if (model.LatencyCount > 0)
            {
                var age = (TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() - model.LastLatencyUnixMs) / 1000.0;
                ttft = LatencyEstimate.Decayed(model.TtftEwma, ttft, age, Options.LatencyHalfLifeSeconds);
                if (model.TokensPerSecondEwma > 0)
                {
                    tps = LatencyEstimate.Decayed(model.TokensPerSecondEwma, tps, age, Options.LatencyHalfLifeSeconds);
                }
            }
        }
        else
        {
            // Cold start without allocating: A = ρI gives zᵀA⁻¹z = |z|²/ρ, the predictions are the priors.
            quality = ColdQuality(arm, peers);
            logLength = Math.Log(1 + Options.DefaultCompletionTokens);
            variance = Dot(z, z) / Options.Rho;
        }

        var tokens = Math.Clamp(Math.Exp(logLength) - 1, 1, 65_536);
        var cost = arm.CostUsd(Math.Max(0, promptTokens), tokens);
        var expected = LatencyEstimate.ExpectedSeconds(ttft, tps, tokens, InFlight.InFlight(arm.Name), arm.MaxConcurrency);
        return new ArmPrediction(Math.Clamp(quality, 0, 1), tokens, cost, Math.Sqrt(variance), feedback, expected, known);
    }

    /// <summary>
    /// Prior quality of a cold arm: a <c>prior-quality=x</c> tag, else by price rank among its peers,
    /// <c>low + (high − low)·r</c> with r the fraction of peers that are cheaper (ties count half; 0.5 alone).
    /// </summary>
    internal double ColdQuality(double inputPrice, double outputPrice, IReadOnlyList<string> tags, IEnumerable<double> peerPrices)
    {
        if (TryPriorQualityTag(tags, out var fixedPrior))
        {
            return fixedPrior;
        }

        var price = inputPrice + outputPrice;
        var count = 0;
        var below = 0.0;
        foreach (var peer in peerPrices)
        {
            count++;
            below += PriceRankWeight(peer, price);
        }

        return ColdQualityAtRank(count == 0 ? 0.5 : below / count);
    }

    /// <summary>
    /// <see cref="ColdQuality(double, double, IReadOnlyList{string}, IEnumerable{double})"/> for a candidate against the
    /// other candidates (peers with its name are skipped), as a plain loop: this runs per cold arm on every decision.
    /// </summary>
    private double ColdQuality(ArmDefinition arm, IReadOnlyList<ArmDefinition> peers)
    {
        if (TryPriorQualityTag(arm.Tags, out var fixedPrior))
        {
            return fixedPrior;
        }

        var price = arm.InputPricePerMillion + arm.OutputPricePerMillion;
        var count = 0;
        var below = 0.0;
        for (var i = 0; i < peers.Count; i++)
        {
            var peer = peers[i];
            if (peer.Name != arm.Name)
            {
                count++;
                below += PriceRankWeight(peer.InputPricePerMillion + peer.OutputPricePerMillion, price);
            }
        }

        return ColdQualityAtRank(count == 0 ? 0.5 : below / count);
    }

    private static bool TryPriorQualityTag(IReadOnlyList<string> tags, out double prior)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            if (tag.StartsWith(PriorQualityTag, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(tag.AsSpan(PriorQualityTag.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                prior = Math.Clamp(value, 0, 1);
                return true;
            }
        }

        prior = 0;
        return false;
    }

    // A cheaper peer counts 1, an equally priced one ½, a dearer one 0.
    private static double PriceRankWeight(double peerPrice, double price) => peerPrice < price ? 1 : peerPrice == price ? 0.5 : 0;

    private double ColdQualityAtRank(double rank) => Options.ColdQualityLow + ((Options.ColdQualityHigh - Options.ColdQualityLow) * rank);

    private void Features(ReadOnlySpan<float> embedding, Span<double> z)
    {
        for (var i = 0; i < embedding.Length; i++)
        {
            z[i] = embedding[i];
        }

        z[^1] = 1.0;
    }

    private void CheckEmbedding(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != EmbeddingDimension)
        {
            throw new ArgumentException($"Expected an embedding of {EmbeddingDimension} floats (after the head), got {embedding.Length}.", nameof(embedding));
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var total = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }
}
