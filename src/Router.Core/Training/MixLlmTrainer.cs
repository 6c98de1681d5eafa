using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Prediction;
using Router.Core.Tagging;

namespace Router.Core.Training;

/// <summary>
/// Offline training (<c>router train</c>, and the <c>mixllm</c> policy of <c>router evaluate</c>): cluster labels
/// (given or k-means) → tag-enhanced head → per arm, ridge predictors of quality and log-length on
/// <c>z = [head(x); 1]</c> with <c>A = ρI + Σ zzᵀ</c> over every query with a known value (full feedback offline) →
/// c_ref. Each arm is fitted on its own data only, so an arm trained later (<see cref="AddArm"/>) changes no other.
/// </summary>
public static class MixLlmTrainer
{
    /// <summary>Trains an engine. <paramref name="log"/> gets one line per stage.</summary>
    public static MixLlmEngine Train(
        TrainingData data, MixLlmTrainingOptions? options = null, Action<string>? log = null,
        TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new MixLlmTrainingOptions();
        Validate(data);
        var n = data.Count;
        var d = data.EncoderDimension;

        ProjectionHead? head = null;
        if (options.UseHead)
        {
            var labels = data.ClusterLabels;
            if (labels is null)
            {
                labels = KMeans.Fit(data.Embeddings, d, options.KMeansClusters, options.Seed).Labels;
                log?.Invoke($"k-means: {options.KMeansClusters} clusters over {n} queries");
            }

            head = TagHeadTrainer.Train(data.Embeddings, d, labels, options.Head,
                (epoch, loss) => log?.Invoke($"head epoch {epoch}: loss {loss:F4}"), cancellationToken);
        }

        var engine = MixLlmEngine.CreateUntrained(data.EncoderId, d, head, options.Engine, 0, timeProvider);
        var z = Features(engine, data.Embeddings, n);
        var arms = new List<ArmModel>();
        var costReference = 0.0;
        var gram = Gram(z, n, engine.FeatureDimension);
        for (var a = 0; a < data.Arms.Count; a++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var model = FitArm(engine, data, a, z, gram, options);
            arms.Add(model);
            var meanCost = MeanPredictedCost(model, data, a, z, engine.FeatureDimension);
            costReference = Math.Max(costReference, meanCost);
            log?.Invoke($"arm {model.Name}: {model.Quality.Count} quality and {model.Length.Count} length samples, mean predicted cost {meanCost:G4} USD");
        }

        log?.Invoke($"c_ref = {costReference:G4} USD");
        return new MixLlmEngine(engine.EncoderId, d, head, costReference, options.Engine, arms, 0, timeProvider);
    }

    /// <summary>
    /// A copy of <paramref name="engine"/> with arm <paramref name="armIndex"/> of <paramref name="data"/> fitted and
    /// added (replacing any state of that name); every other arm, the head and c_ref are kept. <paramref name="data"/>
    /// holds raw encoder embeddings, as for <see cref="Train"/>.
    /// </summary>
    public static MixLlmEngine AddArm(MixLlmEngine engine, TrainingData data, int armIndex, MixLlmTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(data);
        Validate(data);
        var z = Features(engine, data.Embeddings, data.Count);
        var model = FitArm(engine, data, armIndex, z, Gram(z, data.Count, engine.FeatureDimension), options ?? new MixLlmTrainingOptions());
        return engine.WithArm(model);
    }

    /// <summary>Projects raw embeddings with the engine's head: <c>N × EmbeddingDimension</c> floats.</summary>
    public static float[] ProjectAll(MixLlmEngine engine, ReadOnlySpan<float> embeddings)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return engine.Head?.ProjectAll(embeddings) ?? embeddings.ToArray();
    }

    private static ArmModel FitArm(MixLlmEngine engine, TrainingData data, int a, double[] z, double[] fullGram, MixLlmTrainingOptions options)
    {
        var n = data.Count;
        var f = engine.FeatureDimension;
        var rho = engine.Options.Rho;
        var arm = data.Arms[a];
        var quality = new double[n];
        for (var i = 0; i < n; i++)
        {
            var q = data.Quality[a][i];
            quality[i] = double.IsNaN(q) ? double.NaN : Math.Clamp(q, 0, 1);
        }

        var logLength = new double[n];
        for (var i = 0; i < n; i++)
        {
            var tokens = data.CompletionTokens?[a][i] ?? double.NaN;
            logLength[i] = double.IsNaN(tokens) || tokens < 0 ? double.NaN : Math.Log(1 + tokens);
        }

        var qualityMean = Mean(quality);
        var priorQuality = double.IsNaN(qualityMean)
            ? engine.ColdQuality(arm.InputPricePerMillion, arm.OutputPricePerMillion, arm.Tags, data.Arms.Where(o => o.Name != arm.Name).Select(o => o.InputPricePerMillion + o.OutputPricePerMillion))
            : qualityMean;
        var lengthMean = Mean(logLength);
        var priorLogLength = double.IsNaN(lengthMean) ? Math.Log(1 + engine.Options.DefaultCompletionTokens) : lengthMean;

        var qualityPrior = new double[f];
        qualityPrior[^1] = priorQuality;
        var lengthPrior = new double[f];
        lengthPrior[^1] = priorLogLength;
        var learner = options.QualityLearnerByArm.TryGetValue(arm.Name, out var chosen) ? chosen : options.QualityLearner;
        MlpRegressor? mlp = null;
        if (learner == QualityLearner.Mlp)
        {
            // The MLP sees e (z without its constant): drop the last column.
            var k = f - 1;
            var e = new double[n * k];
            for (var i = 0; i < n; i++)
            {
                z.AsSpan(i * f, k).CopyTo(e.AsSpan(i * k, k));
            }

            mlp = MlpRegressor.Fit(e, quality, k, options.MlpHidden, options.MlpEpochs, seed: options.Seed + a);
        }

        return new ArmModel
        {
            Name = arm.Name,
            QualityMlp = mlp,
            InputPricePerMillion = arm.InputPricePerMillion,
            OutputPricePerMillion = arm.OutputPricePerMillion,
            PriorQuality = priorQuality,
            PriorLogLength = priorLogLength,
            Quality = FitMasked(z, quality, fullGram, f, rho, qualityPrior),
            Length = FitMasked(z, logLength, fullGram, f, rho, lengthPrior),
            FeedbackWeights = new double[f],
        };
    }

    /// <summary>Ridge fit from the shared Gram matrix minus the rows whose target is missing (usually few).</summary>
    private static RidgeRegression FitMasked(double[] z, double[] targets, double[] fullGram, int f, double rho, double[] prior)
    {
        var gram = (double[])fullGram.Clone();
        var sum = new double[f];
        long count = 0;
        for (var i = 0; i < targets.Length; i++)
        {
            var row = z.AsSpan(i * f, f);
            if (double.IsNaN(targets[i]))
            {
                RidgeRegression.AddOuter(gram, row, -1.0);
                continue;
            }

            count++;
            for (var j = 0; j < f; j++)
            {
                sum[j] += targets[i] * row[j];
            }
        }

        return RidgeRegression.FitFromSums(gram, sum, count, f, rho, prior);
    }

    private static double MeanPredictedCost(ArmModel model, TrainingData data, int a, double[] z, int f)
    {
        var arm = data.Arms[a];
        var total = 0.0;
        for (var i = 0; i < data.Count; i++)
        {
            var tokens = Math.Clamp(Math.Exp(model.Length.Predict(z.AsSpan(i * f, f))) - 1, 1, 65_536);
            total += arm.CostUsd(data.PromptTokens[i], tokens);
        }

        return data.Count == 0 ? 0 : total / data.Count;
    }

    private static double[] Features(MixLlmEngine engine, ReadOnlySpan<float> embeddings, int n)
    {
        var projected = ProjectAll(engine, embeddings);
        var k = engine.EmbeddingDimension;
        var f = engine.FeatureDimension;
        var z = new double[n * f];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < k; j++)
            {
                z[(i * f) + j] = projected[(i * k) + j];
            }

            z[(i * f) + k] = 1.0;
        }

        return z;
    }

    private static double[] Gram(double[] z, int n, int f)
    {
        var gram = new double[f * f];
        for (var i = 0; i < n; i++)
        {
            RidgeRegression.AddOuter(gram, z.AsSpan(i * f, f), 1.0);
        }

        return gram;
    }

    private static double Mean(double[] values)
    {
        var sum = 0.0;
        var count = 0;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                sum += v;
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private static void Validate(TrainingData data)
    {
        var n = data.Count;
        if (data.Embeddings.Length != n * data.EncoderDimension)
        {
            throw new ArgumentException($"Embeddings must be {n} × {data.EncoderDimension} floats.", nameof(data));
        }

        if (data.Quality.Count != data.Arms.Count || data.Quality.Any(q => q.Length != n))
        {
            throw new ArgumentException("Quality needs one array of N values per arm.", nameof(data));
        }

        if (data.CompletionTokens is { } lengths && (lengths.Count != data.Arms.Count || lengths.Any(l => l.Length != n)))
        {
            throw new ArgumentException("CompletionTokens needs one array of N values per arm.", nameof(data));
        }

        if (data.ClusterLabels is { } labels && (labels.Length != n || labels.Any(l => l < 0)))
        {
            throw new ArgumentException("ClusterLabels needs N non-negative values.", nameof(data));
        }

        if (data.Arms.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != data.Arms.Count)
        {
            throw new ArgumentException("Arm names must be unique.", nameof(data));
        }
    }
}
