using System.Globalization;

namespace Router.Gateway.Usage;

/// <summary>
/// One verification of the gateway's verifier cascade (docs/quality.md §4): whose answer the verifier scored, its
/// p(correct), the threshold τ(λ) = q̂_esc − ĉ_esc/(λ·c_ref) of the escalation arm, and what followed.
/// </summary>
/// <param name="Arm">The arm whose answer was verified.</param>
/// <param name="Probability">The verifier's p; null when it did not score (an arm it does not know).</param>
/// <param name="Threshold">τ(λ) for <paramref name="EscalatedTo"/> (or the best stronger arm); null when there is none.</param>
/// <param name="EscalatedTo">The stronger arm called next; null when the answer was kept.</param>
/// <param name="Note">Why nothing was escalated, or what went wrong with the escalation; null when the rule decided.</param>
public sealed record CascadeHop(string Arm, double? Probability, double? Threshold, string? EscalatedTo, string? Note = null)
{
    /// <summary>The hop as <c>x-router-cascade</c> text, e.g. <c>escalated from=a to=b p=0.120 threshold=0.550</c>.</summary>
    public string HeaderValue()
    {
        var text = EscalatedTo is null ? "kept" : "escalated";
        text += " from=" + Arm;
        if (EscalatedTo is not null)
        {
            text += " to=" + EscalatedTo;
        }

        if (Probability is { } p)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" p={p:0.000}");
        }

        if (Threshold is { } t)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" threshold={t:0.000}");
        }

        return Note is null ? text : text + " note=\"" + Note + "\"";
    }
}
