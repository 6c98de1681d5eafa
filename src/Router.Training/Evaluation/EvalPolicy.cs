using Router.Training.Simulation;

namespace Router.Training.Evaluation;

/// <summary>A routing policy under evaluation: prepared once on train/test, then asked to choose per test query.</summary>
internal abstract class EvalPolicy
{
    protected EvalPolicy(string name) => Name = name;

    /// <summary>Report name (<c>mixllm</c>, <c>knn</c>, <c>arm:NAME</c>, ...).</summary>
    public string Name { get; }

    /// <summary>True when the policy has a λ and is swept; false for one-point policies.</summary>
    public abstract bool Sweeps { get; }

    /// <summary>Fits predictors on <paramref name="train"/> and precomputes what it can for <paramref name="test"/>.</summary>
    public abstract void Prepare(EvalSet train, EvalSet test, CancellationToken cancellationToken);

    /// <summary>
    /// The arm for test row <paramref name="i"/> at budget weight <paramref name="lambda"/>; <paramref name="queues"/> and
    /// <paramref name="now"/> describe the live queues when a time limit is simulated (null otherwise).
    /// </summary>
    public abstract int Choose(int i, double lambda, QueueSimulator? queues, double now, double timeLimit);
}
