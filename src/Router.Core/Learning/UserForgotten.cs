namespace Router.Core.Learning;

/// <summary>
/// A user asked to be forgotten: every replica drops the user's personal residuals and factors
/// (<see cref="Personalisation.PersonalPreferenceModel.Forget"/>). The shared engine ignores it.
/// <see cref="LearningEvent.Arm"/> is <see cref="AllArms"/>.
/// </summary>
public sealed record UserForgotten : LearningEvent
{
    /// <summary>The arm field of a user event: it concerns every arm.</summary>
    public const string AllArms = "*";

    /// <summary>The user key as the feedback events carry it (hashed when users are hashed).</summary>
    public required string User { get; init; }
}
