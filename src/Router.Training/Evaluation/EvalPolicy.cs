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

    /// <summary>False for policies that make more than one call per query (cascades): the queue simulation runs one call.</summary>
    public virtual bool SupportsQueues => true;

    /// <summary>
    /// What serving test row <paramref name="i"/> returns and costs: by default one call to the chosen arm with its
    /// recorded quality and cost; a cascade overrides it (both calls billed, the answer of the arm that answered).
    /// </summary>
    public virtual ServedQuery Serve(EvalSet test, int i, double lambda, QueueSimulator? queues, double now, double timeLimit)
    {
        var a = Choose(i, lambda, queues, now, timeLimit);
        return new ServedQuery(a, test.Quality[i * test.K + a], test.Cost[i * test.K + a], a, -1);
    }
}

/// <summary>One served test query: the arm whose answer is returned, its quality, the total cost of every call, the first arm called and the escalation arm (-1 when none).</summary>
internal readonly record struct ServedQuery(int Answered, double Quality, double Cost, int First, int Escalated);
