using Router.Core.Routing;

namespace Router.Core.Decision;

/// <summary>
/// Applies <see cref="ExplorationOptions"/> to a greedy <see cref="RoutingDecision"/>: draws the arm to serve from the
/// exploration distribution over the eligible (ranked) arms and records its exact probability as the propensity. The
/// draw is <see cref="MixLlmEngine.Draw"/> of (request id, seed): seeded and reproducible, no ambient randomness.
/// The other arms keep their greedy order behind the drawn one (fallbacks). Thread-safe (stateless).
/// </summary>
public sealed class Explorer(ExplorationOptions options)
{
    // Decorrelates the exploration draw from the engine's tie-break draw, which hashes the same request id.
    private const int SeedSalt = 0x5EED_0E;

    /// <summary>The options in force.</summary>
    public ExplorationOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>
    /// The probability of each of <paramref name="rankedScores"/> (best first, the engine's tie-break already applied
    /// to the first) under the exploration policy. Off: 1 for the first. ε-greedy: <c>(1 − ε)·[first] + ε/K</c>.
    /// Softmax: <c>exp(s_i/T) / Σ_j exp(s_j/T)</c> (shifted by the maximum for numerical safety).
    /// </summary>
    public static double[] Probabilities(ReadOnlySpan<double> rankedScores, ExplorationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var k = rankedScores.Length;
        var p = new double[k];
        if (k == 0)
        {
            return p;
        }

        switch (options.Mode)
        {
            case ExplorationMode.EpsilonGreedy:
                for (var i = 0; i < k; i++)
                {
                    p[i] = options.Epsilon / k;
                }

                p[0] += 1 - options.Epsilon;
                break;
            case ExplorationMode.Softmax:
                var max = double.NegativeInfinity;
                foreach (var s in rankedScores)
                {
                    max = Math.Max(max, s);
                }

                var total = 0.0;
                for (var i = 0; i < k; i++)
                {
                    p[i] = Math.Exp((rankedScores[i] - max) / options.Temperature);
                    total += p[i];
                }

                for (var i = 0; i < k; i++)
                {
                    p[i] /= total;
                }

                break;
            default:
                p[0] = 1;
                break;
        }

        return p;
    }

    /// <summary>The index drawn from <paramref name="probabilities"/> by the uniform <paramref name="u"/> in [0, 1) (inverse CDF).</summary>
    public static int Pick(ReadOnlySpan<double> probabilities, double u)
    {
        var cumulative = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            cumulative += probabilities[i];
            if (u < cumulative)
            {
                return i;
            }
        }

        return probabilities.Length - 1;
    }

    /// <summary>A uniform draw in [0, 1) from (request id, seed).</summary>
    public static double Uniform(string requestId, int seed) => (MixLlmEngine.Draw(requestId, seed ^ SeedSalt) >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// The decision with the served arm drawn by the exploration policy and its propensity. A decision with one arm,
    /// or with <see cref="ExplorationMode.Off"/>, is returned unchanged (it keeps the engine's tie propensity).
    /// </summary>
    public RoutingDecision Apply(RoutingDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var ranked = decision.RankedArms;
        if (Options.Mode == ExplorationMode.Off || ranked.Count < 2)
        {
            return decision;
        }

        var scores = new double[ranked.Count];
        for (var i = 0; i < ranked.Count; i++)
        {
            scores[i] = ScoreOf(decision.Scores, ranked[i]);
        }

        var probabilities = Probabilities(scores, Options);

        // The engine's tie-break split the greedy mass among near-ties: under ε-greedy the first-ranked arm's greedy
        // share is then (1 − ε)·(its tie propensity), so the logged propensity stays the true probability.
        if (Options.Mode == ExplorationMode.EpsilonGreedy && decision.Propensity < 1)
        {
            return EpsilonGreedyWithTies(decision);
        }

        var pick = Pick(probabilities, Uniform(decision.RequestId, Options.Seed));
        return decision with { RankedArms = Reorder(ranked, pick), Propensity = probabilities[pick] };
    }

    private RoutingDecision EpsilonGreedyWithTies(RoutingDecision decision)
    {
        var ranked = decision.RankedArms;
        var ties = (int)Math.Round(1 / decision.Propensity);
        var explore = Options.Epsilon / ranked.Count;
        var u = Uniform(decision.RequestId, Options.Seed);
        if (u >= Options.Epsilon)
        {
            // Greedy: the engine's tie winner, with probability (1 − ε)/ties + ε/K.
            return decision with { Propensity = ((1 - Options.Epsilon) / ties) + explore };
        }

        var pick = Math.Min(ranked.Count - 1, (int)(u / Options.Epsilon * ranked.Count));
        // Positions 0..ties−1 hold the near-tied set (the engine swapped its winner to the front), each of which the
        // greedy branch would also have served with probability (1 − ε)/ties.
        var propensity = explore + (pick < ties ? (1 - Options.Epsilon) / ties : 0);
        return decision with { RankedArms = Reorder(ranked, pick), Propensity = propensity };
    }

    private static IReadOnlyList<string> Reorder(IReadOnlyList<string> ranked, int pick)
    {
        if (pick == 0)
        {
            return ranked;
        }

        var order = new string[ranked.Count];
        order[0] = ranked[pick];
        for (int i = 0, j = 1; i < ranked.Count; i++)
        {
            if (i != pick)
            {
                order[j++] = ranked[i];
            }
        }

        return order;
    }

    private static double ScoreOf(IReadOnlyList<ArmScore> scores, string arm)
    {
        foreach (var s in scores)
        {
            if (s.Arm == arm)
            {
                return s.Score;
            }
        }

        return double.NegativeInfinity;
    }
}
