namespace Router.Core.Learning;

/// <summary>
/// An arm joins at run time: creates its cold-start state (prior quality from its price rank among the known arms
/// or a <c>prior-quality=0.8</c> tag; <c>A = ρI</c> so LinUCB explores it). No-op when the arm is already known:
/// adding an arm never retrains or resets others.
/// </summary>
public sealed record ArmAdded : LearningEvent
{
    /// <summary>USD per million prompt tokens; finite and ≥ 0, else <c>MixLlmEngine.Apply</c> refuses the event.</summary>
    public double InputPricePerMillion { get; init; }

    /// <summary>USD per million completion tokens; finite and ≥ 0, else <c>MixLlmEngine.Apply</c> refuses the event.</summary>
    public double OutputPricePerMillion { get; init; }

    /// <summary>The arm's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
