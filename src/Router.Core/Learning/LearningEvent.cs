using System.Text.Json.Serialization;

namespace Router.Core.Learning;

/// <summary>
/// One learning event of the log the live state folds over (DESIGN.md, "State: an event log and a fold over it").
/// Events are immutable facts; <see cref="Decision.MixLlmEngine.Apply"/> is a pure, deterministic update, so every
/// replica folding the same events in the same order holds bit-identical state. Serialise with
/// <see cref="LearningEventSerializer"/> (stable JSON with a <c>type</c> discriminator).
/// </summary>
/// <remarks>Embeddings in events are the engine's own vectors (<see cref="Routing.RoutingDecision.Embedding"/>: after the head).</remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RefinedFeedback), "refined")]
[JsonDerivedType(typeof(BinaryFeedback), "binary")]
[JsonDerivedType(typeof(UsageObserved), "usage")]
[JsonDerivedType(typeof(ArmAdded), "arm_added")]
[JsonDerivedType(typeof(ArmRemoved), "arm_removed")]
[JsonDerivedType(typeof(UserForgotten), "user_forgotten")]
public abstract record LearningEvent
{
    /// <summary>The arm the event is about.</summary>
    public required string Arm { get; init; }
}
