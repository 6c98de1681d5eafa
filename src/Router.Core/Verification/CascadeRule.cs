namespace Router.Core.Verification;

/// <summary>
/// The verifier cascade's two choices, shared by the offline policy (<c>router evaluate</c>, <c>router cv</c>) and the
/// gateway's cascade step, so both escalate on exactly the same rule (docs/quality.md §4):
/// <list type="number">
/// <item>the escalation arm is the best-scoring arm at λ among those the router predicts stronger than the arm that
/// answered (q̂ above its q̂);</item>
/// <item>escalate when the expected quality gain pays for the second call, <c>λ·(q̂_esc − p) &gt; ĉ_esc / c_ref</c>
/// (FrugalGPT's cost-aware stopping rule, Chen et al. 2023, §3, with the router's own λ and c_ref), i.e. when the
/// verifier's p is below <c>τ(λ) = q̂_esc − ĉ_esc / (λ·c_ref)</c>.</item>
/// </list>
/// Pure functions; thread-safe.
/// </summary>
public static class CascadeRule
{
    /// <summary>
    /// Index of the escalation arm, or -1 when no arm is predicted stronger than <paramref name="answered"/>. An arm
    /// that cannot be chosen (excluded, not allowed) has NaN quality or score: it never compares greater. Ties on the
    /// score keep the lower index (the offline policy's candidate order).
    /// </summary>
    /// <param name="predictedQuality">q̂ per arm.</param>
    /// <param name="score">The router's score per arm at λ.</param>
    /// <param name="answered">The arm whose answer was verified.</param>
    public static int EscalationArm(ReadOnlySpan<double> predictedQuality, ReadOnlySpan<double> score, int answered)
    {
        if (predictedQuality.Length != score.Length || (uint)answered >= (uint)score.Length)
        {
            throw new ArgumentException("cascade: quality and score must be per arm, and the answered arm one of them");
        }

        var escalation = -1;
        var best = double.NegativeInfinity;
        for (var b = 0; b < score.Length; b++)
        {
            if (predictedQuality[b] > predictedQuality[answered] && score[b] > best)
            {
                (escalation, best) = (b, score[b]);
            }
        }

        return escalation;
    }

    /// <summary>True when <c>λ·(q̂_esc − p) &gt; ĉ_esc / c_ref</c>: the second call is worth its cost.</summary>
    /// <param name="lambda">λ of the decision (quality per unit of c_ref).</param>
    /// <param name="probability">The verifier's p(the answer is right).</param>
    /// <param name="escalationQuality">q̂ of the escalation arm.</param>
    /// <param name="escalationCost">ĉ of the escalation arm, USD.</param>
    /// <param name="costReference">c_ref, USD (&gt; 0).</param>
    public static bool ShouldEscalate(double lambda, double probability, double escalationQuality, double escalationCost, double costReference) =>
        lambda * (escalationQuality - probability) > escalationCost / costReference;

    /// <summary>
    /// τ(λ) = q̂_esc − ĉ_esc / (λ·c_ref): the p below which <see cref="ShouldEscalate"/> holds (−∞ at λ ≤ 0, where
    /// quality is worth nothing). For reports and headers; the decision itself uses <see cref="ShouldEscalate"/>.
    /// </summary>
    public static double Threshold(double lambda, double escalationQuality, double escalationCost, double costReference) =>
        lambda > 0 ? escalationQuality - (escalationCost / (lambda * costReference)) : double.NegativeInfinity;
}
