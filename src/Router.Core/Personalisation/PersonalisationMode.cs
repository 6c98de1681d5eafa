namespace Router.Core.Personalisation;

/// <summary>Which personal terms are added to an arm's score for <c>auto</c> (docs/personalisation.md).</summary>
public enum PersonalisationMode
{
    /// <summary>No personal term: the shared model alone (feedback still updates the personal statistics).</summary>
    Off,

    /// <summary>The shrunk per-user, per-arm residual: <c>n/(n+κ)·mean</c>.</summary>
    Residuals,

    /// <summary>The residual shrunk toward the low-rank prediction <c>p_u·q_a</c> instead of 0 (the default).</summary>
    ResidualsAndFactors,
}
