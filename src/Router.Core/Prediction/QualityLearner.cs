namespace Router.Core.Prediction;

/// <summary>Which model predicts an arm's quality p̂ (the LinUCB bonus always comes from the ridge's A⁻¹).</summary>
public enum QualityLearner
{
    /// <summary>Ridge regression on z = [e; 1], clamped to [0, 1]: exact online updates. The default.</summary>
    Ridge,

    /// <summary>A one-hidden-layer network with a sigmoid output (<see cref="MlpRegressor"/>): nonlinear, online SGD steps.</summary>
    Mlp,
}
