using System.Globalization;
using System.Text;
using Router.Core.Arms;
using Router.Core.Decision;

namespace Router.Training.OffPolicy;

/// <summary>The report of <c>router ope --log</c>: the candidate policy valued on the decision log.</summary>
internal static class LogReport
{
    public static string Build(MixLlmEngine engine, IReadOnlyList<LoggedDecision> decisions, int skipped, double? lambda, double? targetCostPer1k)
    {
        var cref = engine.CostReference > 0 ? engine.CostReference : 0;
        var chosenLambda = lambda ?? (targetCostPer1k is { } t ? SolveLambda(engine, decisions, cref, t / 1000) : 1);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"candidate: mixllm at λ = {chosenLambda:G4}{(targetCostPer1k is { } tc ? $" (predicted cost {tc} USD per 1k requests)" : "")}; {decisions.Count} logged decisions ({skipped} lines skipped)");
        if (decisions.All(d => d.Propensity >= 1))
        {
            sb.AppendLine("WARNING: every propensity is 1 (exploration off): IPS and SNIPS value only decisions where the candidate agrees with the log, and DR rests on the direct model wherever it disagrees; turn on Router:Exploration to evaluate other policies.");
        }

        var reward = new List<OpeSample>();
        var cost = new List<OpeSample>();
        var agree = 0;
        foreach (var d in decisions)
        {
            var (target, quality, predictedCost) = Choose(engine, d, chosenLambda, cref);
            var logged = d.Candidates.FirstOrDefault(c => c.Arm == d.ChosenArm);
            if (logged is null)
            {
                continue;
            }

            var match = target == d.ChosenArm ? 1.0 : 0.0;
            agree += (int)match;
            var loggedQuality = QualityOf(engine, d, logged);
            if (d.Reward is { } r)
            {
                reward.Add(new OpeSample(match, d.Propensity, r, loggedQuality, quality));
            }

            if (d.CostUsd is { } c)
            {
                cost.Add(new OpeSample(match, d.Propensity, c * 1000, logged.PredictedCostUsd * 1000, predictedCost * 1000));
            }
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"support: the candidate picks the logged arm on {agree} of {decisions.Count} decisions");
        if (agree == 0)
        {
            sb.AppendLine("WARNING: support is missing: the candidate never chose an arm the log chose, so IPS/SNIPS are 0/undefined and DR is the direct model alone.");
        }

        Section(sb, "reward (feedback score, 0..1)", reward);
        Section(sb, "cost (USD per 1,000 requests)", cost);
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string title, List<OpeSample> samples)
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"\n{title}: {samples.Count} decisions, effective sample size {OffPolicyEstimator.EffectiveSampleSize(samples):0.0}");
        if (samples.Count == 0)
        {
            sb.AppendLine("  (none logged)");
            return;
        }

        foreach (var e in OffPolicyEstimator.Estimate(samples))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {e.Estimator,-12} {e.Value,10:0.0000}   95% CI [{e.Low:0.0000}, {e.High:0.0000}] ({e.Interval})");
        }
    }

    /// <summary>The candidate's arm: argmax λ·q̂ − ĉ/c_ref + bonus − penalty over the eligible logged candidates.</summary>
    private static (string Arm, double Quality, double Cost) Choose(MixLlmEngine engine, LoggedDecision d, double lambda, double cref)
    {
        var reference = cref > 0 ? cref : Math.Max(1e-12, d.Candidates.Max(c => c.PredictedCostUsd));
        var best = d.Candidates[0];
        var bestScore = double.NegativeInfinity;
        var bestQuality = 0.0;
        foreach (var c in d.Candidates.Where(c => !c.Excluded))
        {
            var q = QualityOf(engine, d, c);
            var s = (lambda * q) - (c.PredictedCostUsd / reference) + c.Bonus - c.Penalty;
            if (s > bestScore)
            {
                (best, bestScore, bestQuality) = (c, s, q);
            }
        }

        return (best.Arm, bestQuality, best.PredictedCostUsd);
    }

    /// <summary>The checkpoint's q̂ for the logged embedding when it fits and the arm is known; else the logged prediction.</summary>
    private static double QualityOf(MixLlmEngine engine, LoggedDecision d, LoggedCandidate c) =>
        d.Embedding is { } e && e.Length == engine.EmbeddingDimension && engine.Arms.Contains(c.Arm)
            ? engine.Predict(new ArmDefinition { Name = c.Arm }, e, d.PromptTokens).Quality
            : c.PredictedQuality;

    /// <summary>Bisection on log λ in [10⁻², 10³] for the λ whose mean predicted cost per request is <paramref name="target"/>.</summary>
    private static double SolveLambda(MixLlmEngine engine, IReadOnlyList<LoggedDecision> decisions, double cref, double target)
    {
        double lo = Math.Log(1e-2), hi = Math.Log(1e3);
        for (var i = 0; i < 40; i++)
        {
            var mid = (lo + hi) / 2;
            var mean = decisions.Average(d => Choose(engine, d, Math.Exp(mid), cref).Cost);
            (lo, hi) = mean < target ? (mid, hi) : (lo, mid);
        }

        return Math.Exp((lo + hi) / 2);
    }
}
