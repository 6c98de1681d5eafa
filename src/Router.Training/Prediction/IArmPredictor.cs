using Router.Training.Evaluation;

namespace Router.Training.Prediction;

/// <summary>
/// Predicts, for one query, every arm's quality and completion length (from which cost follows) and an
/// exploration bonus. Fitted once on a training set; <see cref="IOnlineArmPredictor"/> also learns from a stream.
/// </summary>
internal interface IArmPredictor
{
    /// <summary>Fits on <paramref name="train"/>; arms with <paramref name="trainedArms"/>[a] false start untrained (adaptability runs).</summary>
    void Fit(EvalSet train, bool[]? trainedArms, CancellationToken cancellationToken);

    /// <summary>Fills quality, completion tokens and bonus (length K each) for row <paramref name="i"/> of <paramref name="set"/>.</summary>
    void Predict(EvalSet set, int i, Span<double> quality, Span<double> completionTokens, Span<double> bonus);
}

/// <summary>A predictor that learns from the outcome of the arm chosen for a query (continual learning).</summary>
internal interface IOnlineArmPredictor : IArmPredictor
{
    /// <summary>Updates arm <paramref name="arm"/> with the observed <paramref name="reward"/> for row <paramref name="i"/> of <paramref name="set"/>.</summary>
    void Observe(EvalSet set, int i, int arm, double reward, double completionTokens);
}
