using System.Numerics.Tensors;
using Router.Training.Evaluation;

namespace Router.Training.Prediction;

/// <summary>
/// Infers a query's task (tag) from its embedding alone: the training task whose centroid (mean of the L2-normalised
/// training embeddings of that task, renormalised) has the highest cosine similarity. A deployed gateway never sees a
/// query's task label, so every predictor that conditions on a task at decision time must use this, never
/// <see cref="EvalSet.Tasks"/> of the set it predicts for (labels are for training only).
/// </summary>
internal sealed class TaskInference
{
    private readonly string[] _tasks;
    private readonly float[] _centroids;
    private readonly int _d;

    private TaskInference(string[] tasks, float[] centroids, int d) => (_tasks, _centroids, _d) = (tasks, centroids, d);

    /// <summary>The tasks, in ordinal order (the index <see cref="InferIndex"/> returns).</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>Task centroids of <paramref name="train"/> (labels used here, at training time only).</summary>
    public static TaskInference Fit(EvalSet train)
    {
        var tasks = train.Tasks.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var d = train.Dimension;
        var centroids = new float[tasks.Length * d];
        for (var i = 0; i < train.N; i++)
        {
            var t = Array.IndexOf(tasks, train.Tasks[i]);
            TensorPrimitives.Add(centroids.AsSpan(t * d, d), train.Embedding(i), centroids.AsSpan(t * d, d));
        }

        for (var t = 0; t < tasks.Length; t++)
        {
            var c = centroids.AsSpan(t * d, d);
            var norm = TensorPrimitives.Norm(c);
            if (norm > 0)
            {
                TensorPrimitives.Divide(c, norm, c);
            }
        }

        return new TaskInference(tasks, centroids, d);
    }

    /// <summary>Index into <see cref="Tasks"/> of the nearest centroid (ties: the first task); -1 when there are no tasks.</summary>
    public int InferIndex(ReadOnlySpan<float> embedding)
    {
        var best = -1;
        var bestSim = float.NegativeInfinity;
        for (var t = 0; t < _tasks.Length; t++)
        {
            var sim = TensorPrimitives.Dot(embedding, _centroids.AsSpan(t * _d, _d));
            if (sim > bestSim)
            {
                (best, bestSim) = (t, sim);
            }
        }

        return best;
    }

    /// <summary>The inferred task of <paramref name="embedding"/>, or "" when there are no tasks.</summary>
    public string Infer(ReadOnlySpan<float> embedding) => InferIndex(embedding) is var t and >= 0 ? _tasks[t] : "";

    /// <summary>Fraction of rows of <paramref name="set"/> whose inferred task equals its label (a report figure, not a decision input).</summary>
    public double Accuracy(EvalSet set) =>
        set.N == 0 ? double.NaN : Enumerable.Range(0, set.N).Count(i => Infer(set.Embedding(i)) == set.Tasks[i]) / (double)set.N;
}
