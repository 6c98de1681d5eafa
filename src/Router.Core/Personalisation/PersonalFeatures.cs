namespace Router.Core.Personalisation;

/// <summary>
/// The per-arm, per-query features a user's preference weights θ_u apply to (docs/personalisation.md): the shared
/// model's predicted quality p̂_a(e) and predicted answer length min(1, len̂_a(e)/512). Gateway and simulation write
/// them with this one method, from the same engine predictions, so both learn the same thing.
/// </summary>
public static class PersonalFeatures
{
    /// <summary>Features per arm (the model adds an intercept).</summary>
    public const int Count = 2;

    /// <summary>Completion tokens at which the length feature is 1.</summary>
    public const double LengthScale = 512;

    /// <summary>Writes the features of one arm's prediction into <paramref name="destination"/> (<see cref="Count"/> values).</summary>
    public static void Write(double predictedQuality, double predictedCompletionTokens, Span<double> destination)
    {
        destination[0] = predictedQuality;
        destination[1] = Math.Min(1, Math.Max(0, predictedCompletionTokens) / LengthScale);
    }
}
