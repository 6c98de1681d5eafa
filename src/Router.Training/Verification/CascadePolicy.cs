using Router.Core.Verification;
using Router.Training.Evaluation;
using Router.Training.Simulation;

namespace Router.Training.Verification;

/// <summary>
/// A verifier cascade (FrugalGPT, Chen et al. 2023; AutoMix, Madaan et al. 2024) as a policy on the λ grid. The router
/// (<see cref="ScoredPolicy"/>) picks the first arm at budget weight <c>f·λ</c>; the learned <see cref="AnswerVerifier"/>
/// scores that arm's recorded answer, p = P(correct); the escalation arm is the best-scoring arm at λ among those the
/// router predicts stronger (q̂ above the first's). It escalates when the expected gain pays for the second call,
/// <c>λ·(q̂_esc − p) &gt; ĉ_esc / c_ref</c>, i.e. when p is below the threshold <c>τ(λ) = q̂_esc − ĉ_esc/(λ·c_ref)</c>,
/// which moves with λ like every other trade-off of the sweep. Both calls are billed at their recorded cost and the
/// returned quality is the recorded quality of the arm that answered. With a probe, the cheapest other arm's answer
/// is bought too (billed) and the verifier sees whether the two agree.
/// </summary>
internal sealed class CascadePolicy : EvalPolicy
{
    private readonly ScoredPolicy _router;
    private readonly AnswerVerifierOptions _options;
    private double[] _p = [];
    private int[] _probe = [];
    private int _k;

    public CascadePolicy(string name, ScoredPolicy router, AnswerVerifierOptions options, bool probe, double firstLambdaFactor)
        : base(name)
    {
        _router = router;
        _options = options;
        Probe = probe;
        FirstLambdaFactor = firstLambdaFactor;
    }

    /// <summary>True: buy the probe answer and let the verifier see agreement.</summary>
    public bool Probe { get; }

    /// <summary>f: the first arm is the router's choice at f·λ (f &lt; 1 starts cheaper and leans on escalation).</summary>
    public double FirstLambdaFactor { get; }

    /// <summary>The verifier fitted in <see cref="Prepare"/>.</summary>
    public AnswerVerifier? Verifier { get; private set; }

    /// <summary>
    /// ROC AUC of the verifier on the test rows' recorded answers of the verified arms (the probability that a right
    /// answer scores above a wrong one; 0.5 = no skill), computed after <see cref="Prepare"/> for the report. NaN when a
    /// class is missing.
    /// </summary>
    public double HeldOutAuc { get; private set; } = double.NaN;

    public override bool Sweeps => true;

    public override bool SupportsQueues => false;

    public override void Prepare(EvalSet train, EvalSet test, CancellationToken cancellationToken)
    {
        if (train.AnswerEmbeddings is null || test.AnswerEmbeddings is null)
        {
            throw new InvalidOperationException("cascade policy: answers are not embedded (VerifierTraining.EmbedAnswers)");
        }

        _router.Prepare(train, test, cancellationToken);
        var verified = VerifierTraining.VerifiedArms(train);
        var verifier = VerifierTraining.Fit(train, verified, _options, cancellationToken);
        Verifier = verifier;
        _k = test.K;
        _probe = Enumerable.Repeat(-1, _k).ToArray();
        _p = new double[test.N * _k];
        Array.Fill(_p, double.NaN);
        foreach (var a in verified)
        {
            _probe[a] = Probe ? VerifierTraining.ProbeFor(train, verified, a) : -1;
        }

        var width = AnswerFeatures.Length(test.Dimension, verified.Length);
        Parallel.For(0, test.N, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var x = new double[width];
            for (var v = 0; v < verified.Length; v++)
            {
                var a = verified[v];
                if (test.Response(i, a) is null)
                {
                    continue;
                }

                VerifierTraining.Write(test, i, a, v, verified.Length, _probe[a] >= 0 ? test.Response(i, _probe[a]) : null, x);
                _p[(i * _k) + a] = verifier.Probability(x);
            }
        });
        HeldOutAuc = RocAuc(Enumerable.Range(0, test.N * _k).Where(j => !double.IsNaN(_p[j])).Select(j => (_p[j], test.Quality[j] >= 0.5)).ToList());
    }

    /// <summary>ROC AUC by the rank-sum (Mann–Whitney U) formula, ties counted half.</summary>
    public static double RocAuc(IReadOnlyList<(double Score, bool Positive)> items)
    {
        var sorted = items.OrderBy(x => x.Score).ToList();
        double rankSum = 0;
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j < sorted.Count && sorted[j].Score == sorted[i].Score)
            {
                j++;
            }

            var meanRank = (i + 1 + j) / 2.0;
            rankSum += sorted.Skip(i).Take(j - i).Count(x => x.Positive) * meanRank;
            i = j;
        }

        double pos = sorted.Count(x => x.Positive);
        var neg = sorted.Count - pos;
        return pos > 0 && neg > 0 ? (rankSum - (pos * (pos + 1) / 2)) / (pos * neg) : double.NaN;
    }

    public override int Choose(int i, double lambda, QueueSimulator? queues, double now, double timeLimit) =>
        _router.Choose(i, FirstLambdaFactor * lambda, null, 0, double.PositiveInfinity);

    public override ServedQuery Serve(EvalSet test, int i, double lambda, QueueSimulator? queues, double now, double timeLimit)
    {
        var first = Choose(i, lambda, null, 0, double.PositiveInfinity);
        var p = _p[(i * _k) + first];
        var cost = test.Cost[(i * _k) + first];
        if (double.IsNaN(p))
        {
            return new ServedQuery(first, test.Quality[(i * _k) + first], cost, first, -1);
        }

        if (_probe[first] >= 0)
        {
            cost += test.Cost[(i * _k) + _probe[first]];
        }

        // The escalation arm and the rule are Router.Core's (CascadeRule), the same as the gateway's cascade step.
        Span<double> quality = _k <= 64 ? stackalloc double[_k] : new double[_k];
        Span<double> score = _k <= 64 ? stackalloc double[_k] : new double[_k];
        for (var b = 0; b < _k; b++)
        {
            quality[b] = _router.PredictedQuality(i, b);
            score[b] = _router.Score(i, b, lambda);
        }

        var esc = CascadeRule.EscalationArm(quality, score, first);
        if (esc >= 0 && CascadeRule.ShouldEscalate(lambda, p, quality[esc], _router.PredictedCost(i, esc), _router.CostReference))
        {
            return new ServedQuery(esc, test.Quality[(i * _k) + esc], cost + test.Cost[(i * _k) + esc], first, esc);
        }

        return new ServedQuery(first, test.Quality[(i * _k) + first], cost, first, -1);
    }
}
