namespace Router.Core.Learning;

/// <summary>An arm leaves: its learned state is dropped; the others are untouched.</summary>
public sealed record ArmRemoved : LearningEvent;
