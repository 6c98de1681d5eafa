using System.Collections.Immutable;
using Router.Core.Learning;

namespace Router.Core.Decision;

public sealed partial class MixLlmEngine
{
    /// <summary>
    /// Folds one event into the state (DESIGN.md step 10): refined feedback updates the arm's quality ridge (and so
    /// its LinUCB A⁻¹); binary feedback takes one policy-gradient step on the feedback head and, by default, updates the
    /// quality ridge with a score of 1 or 0 (<see cref="MixLlmEngineOptions.BinaryUpdatesQuality"/>); usage updates the length
    /// ridge and the latency EWMAs; arms are added cold or removed. Pure and deterministic: the same events in the
    /// same order give bit-identical state. An invalid event throws <see cref="ArgumentException"/> and changes nothing.
    /// Thread-safe (writers are serialised; readers keep their snapshot).
    /// </summary>
    public void Apply(LearningEvent learningEvent)
    {
        ArgumentNullException.ThrowIfNull(learningEvent);
        ArgumentException.ThrowIfNullOrEmpty(learningEvent.Arm, nameof(learningEvent));
        if (learningEvent is UserForgotten)
        {
            return; // personal state only (Personalisation.PersonalPreferenceModel); the shared engine has none per user
        }

        lock (_writeLock)
        {
            var arms = _arms;
            var updated = learningEvent switch
            {
                ArmAdded added => ApplyArmAdded(arms, added),
                ArmRemoved removed => arms.Remove(removed.Arm),
                RefinedFeedback refined => ApplyRefined(arms, refined),
                BinaryFeedback binary => Options.BinaryUpdatesQuality
                    ? ApplyRefined(ApplyBinary(arms, binary), new RefinedFeedback { Arm = binary.Arm, Embedding = binary.Embedding, Score = binary.Up ? 1 : 0 })
                    : ApplyBinary(arms, binary),
                UsageObserved usage => ApplyUsage(arms, usage),
                _ => throw new ArgumentException($"Unknown learning event {learningEvent.GetType().Name}.", nameof(learningEvent)),
            };
            Volatile.Write(ref _arms, updated);
            Interlocked.Increment(ref _eventsApplied);
        }
    }

    /// <summary>Folds events in order.</summary>
    public void ApplyAll(IEnumerable<LearningEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var learningEvent in events)
        {
            Apply(learningEvent);
        }
    }

    private ImmutableDictionary<string, ArmModel> ApplyArmAdded(ImmutableDictionary<string, ArmModel> arms, ArmAdded added)
    {
        if (!double.IsFinite(added.InputPricePerMillion) || added.InputPricePerMillion < 0
            || !double.IsFinite(added.OutputPricePerMillion) || added.OutputPricePerMillion < 0)
        {
            // The same rule as ArmSettings.Validate: a NaN price made the price rank (and so the cold prior) of this
            // arm and of every later one meaningless, and an infinite one made its predicted cost, and score, infinite.
            throw new ArgumentException($"Arm {added.Arm} needs finite, non-negative prices.", nameof(added));
        }

        if (arms.ContainsKey(added.Arm))
        {
            return arms;
        }

        var prior = ColdQuality(added.InputPricePerMillion, added.OutputPricePerMillion, added.Tags,
            arms.Values.Select(a => a.InputPricePerMillion + a.OutputPricePerMillion));
        if (Options.ColdQualityFromPricePeers && !HasPriorTag(added.Tags))
        {
            // Similar price, similar quality: a better guess than the rank ramp, which puts every cheap newcomer
            // near ColdQualityLow so that λ·p̂ never lets LinUCB try it (README, adaptability).
            var price = added.InputPricePerMillion + added.OutputPricePerMillion;
            var peers = arms.Values.Where(a => IsPricePeer(price, a.InputPricePerMillion + a.OutputPricePerMillion)).Select(a => a.PriorQuality).ToList();
            if (peers.Count > 0)
            {
                prior = peers.Average();
            }
        }
        return arms.SetItem(added.Arm, ArmModel.Cold(added.Arm, FeatureDimension, Options.Rho, prior,
            Math.Log(1 + Options.DefaultCompletionTokens), added.InputPricePerMillion, added.OutputPricePerMillion));
    }

    private static bool HasPriorTag(IReadOnlyList<string> tags) =>
        tags.Any(t => t.StartsWith(PriorQualityTag, StringComparison.OrdinalIgnoreCase));

    private bool IsPricePeer(double price, double peerPrice) =>
        price > 0 && peerPrice > 0 ? Math.Max(price, peerPrice) / Math.Min(price, peerPrice) <= Options.PricePeerFactor : price == peerPrice;

    private ImmutableDictionary<string, ArmModel> ApplyRefined(ImmutableDictionary<string, ArmModel> arms, RefinedFeedback refined)
    {
        var z = EventFeatures(refined.Embedding);
        if (!double.IsFinite(refined.Score))
        {
            throw new ArgumentException("Refined feedback needs a finite score.", nameof(refined));
        }

        var model = GetOrCold(arms, refined.Arm).Copy();
        model.Quality = model.Quality.Clone();
        model.Quality.Update(z, Math.Clamp(refined.Score, 0, 1));
        if (model.QualityMlp is not null)
        {
            model.QualityMlp = model.QualityMlp.Clone();
            model.QualityMlp.Update(z, Math.Clamp(refined.Score, 0, 1));
        }

        return arms.SetItem(model.Name, model);
    }

    /// <summary>
    /// REINFORCE on <c>log π(m*|e)·r</c> with <c>π = softmax_l(s_l^df)</c> over the candidates and <c>s_l^df = θ_l·z</c>:
    /// <c>∇θ_l = r·w·(1[l = m*] − π_l)·z</c>, w = 1/propensity (clipped); r = 1[up] − p̂_m*(e) with the quality model as
    /// baseline (<see cref="MixLlmEngineOptions.BinaryBaseline"/>, computed before the event's own quality update), else ±1. κ's variance is tracked per arm
    /// (Welford) over the post-update scores of the feedback queries.
    /// </summary>
    private ImmutableDictionary<string, ArmModel> ApplyBinary(ImmutableDictionary<string, ArmModel> arms, BinaryFeedback binary)
    {
        var z = EventFeatures(binary.Embedding);
        if (binary.Propensity is { } propensity && !(propensity is > 0 and <= 1))
        {
            // A propensity is a probability of the drawn arm (the engine records 1/ties, in (0, 1]). NaN used to be read
            // as 1 and +∞ as an importance weight of 0, so a corrupt event was silently folded with the wrong weight.
            throw new ArgumentException("Binary feedback needs a propensity in (0, 1].", nameof(binary));
        }

        var names = (binary.Candidates ?? [.. arms.Keys.Order(StringComparer.Ordinal)])
            .Where(n => n == binary.Arm || arms.ContainsKey(n))
            .Append(binary.Arm)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var models = new ArmModel[names.Length];
        var logits = new double[names.Length];
        var max = double.NegativeInfinity;
        for (var i = 0; i < names.Length; i++)
        {
            models[i] = GetOrCold(arms, names[i]).Copy();
            models[i].FeedbackWeights = (double[])models[i].FeedbackWeights.Clone();
            logits[i] = Dot(models[i].FeedbackWeights, z);
            max = Math.Max(max, logits[i]);
        }

        var sum = 0.0;
        for (var i = 0; i < names.Length; i++)
        {
            logits[i] = Math.Exp(logits[i] - max);
            sum += logits[i];
        }

        var chosen = Array.IndexOf(names, binary.Arm);
        var reward = Options.BinaryBaseline
            ? (binary.Up ? 1.0 : 0.0) - Math.Clamp(models[chosen].QualityMlp is { } mlp ? mlp.Predict(z) : models[chosen].Quality.Predict(z), 0, 1)
            : binary.Up ? 1.0 : -1.0;
        var weight = binary.Propensity is { } p ? Math.Min(1.0 / p, Options.MaxImportanceWeight) : 1.0;
        for (var i = 0; i < names.Length; i++)
        {
            var pi = logits[i] / sum;
            var step = Options.FeedbackLearningRate * reward * weight * ((names[i] == binary.Arm ? 1.0 : 0.0) - pi);
            var theta = models[i].FeedbackWeights;
            for (var j = 0; j < theta.Length; j++)
            {
                theta[j] += step * z[j];
            }

            var s = Dot(theta, z);
            var count = models[i].FeedbackCount + 1;
            var delta = s - models[i].FeedbackMean;
            var mean = models[i].FeedbackMean + (delta / count);
            models[i].FeedbackCount = count;
            models[i].FeedbackMean = mean;
            models[i].FeedbackM2 += delta * (s - mean);
            arms = arms.SetItem(names[i], models[i]);
        }

        return arms;
    }

    private ImmutableDictionary<string, ArmModel> ApplyUsage(ImmutableDictionary<string, ArmModel> arms, UsageObserved usage)
    {
        double[]? z = usage.Embedding is null ? null : EventFeatures(usage.Embedding);
        if (!double.IsFinite(usage.TimeToFirstTokenSeconds) || !double.IsFinite(usage.DurationSeconds))
        {
            // Math.Clamp passes NaN through: a NaN time to first token would make the arm's EWMA, and so its
            // expected time and score, NaN for good.
            throw new ArgumentException("Usage needs finite latencies.", nameof(usage));
        }

        var model = GetOrCold(arms, usage.Arm).Copy();
        if (z is not null && usage.CompletionTokens > 0)
        {
            model.Length = model.Length.Clone();
            model.Length.Update(z, Math.Log(1.0 + usage.CompletionTokens));
        }

        if (usage.DurationSeconds > 0)
        {
            var ttft = Math.Clamp(usage.TimeToFirstTokenSeconds, 0, usage.DurationSeconds);
            var generation = usage.DurationSeconds - ttft;
            var tps = generation > 0 && usage.CompletionTokens > 0 ? usage.CompletionTokens / generation : 0;
            var w = Options.LatencyEwmaWeight;
            model.TtftEwma = model.LatencyCount == 0 ? ttft : ((1 - w) * model.TtftEwma) + (w * ttft);
            if (tps > 0)
            {
                model.TokensPerSecondEwma = model.TokensPerSecondEwma <= 0 ? tps : ((1 - w) * model.TokensPerSecondEwma) + (w * tps);
            }

            model.LatencyCount++;
            model.LastLatencyUnixMs = Math.Max(model.LastLatencyUnixMs, usage.At.ToUnixTimeMilliseconds());
        }

        return arms.SetItem(model.Name, model);
    }

    private ArmModel GetOrCold(ImmutableDictionary<string, ArmModel> arms, string name) =>
        arms.TryGetValue(name, out var model)
            ? model
            : ArmModel.Cold(name, FeatureDimension, Options.Rho, (Options.ColdQualityLow + Options.ColdQualityHigh) / 2,
                Math.Log(1 + Options.DefaultCompletionTokens), 0, 0);

    private double[] EventFeatures(float[]? embedding)
    {
        if (embedding is null || embedding.Length != EmbeddingDimension)
        {
            throw new ArgumentException($"The event's embedding must have {EmbeddingDimension} floats (after the head).", nameof(embedding));
        }

        var z = new double[FeatureDimension];
        for (var i = 0; i < embedding.Length; i++)
        {
            if (!float.IsFinite(embedding[i]))
            {
                throw new ArgumentException("The event's embedding has a non-finite value.", nameof(embedding));
            }

            z[i] = embedding[i];
        }

        z[^1] = 1.0;
        return z;
    }
}
