namespace Router.Training.Evaluation;

/// <summary>Inputs of <c>router evaluate</c>.</summary>
internal sealed record EvaluateOptions
{
    public string[] Train { get; init; } = [];

    public string[] Test { get; init; } = [];

    public string[] Data { get; init; } = [];

    public double TestFraction { get; init; } = 0.2;

    public required string Out { get; init; }

    public string? ReferenceArm { get; init; }

    public double? TimeLimit { get; init; }

    public double ArrivalRate { get; init; } = 2;

    public int Seed { get; init; } = 42;

    public string? ArmsFile { get; init; }

    public string[] Policies { get; init; } = [];

    public int MlpEpochs { get; init; } = 200;

    /// <summary>Answer-consistency cascades added as virtual arms (<see cref="Cascades.CascadeSpec"/> syntax).</summary>
    public string[] Cascades { get; init; } = [];

    /// <summary>Revealed fractions of the <c>task-oracle+reveal=F</c> bounds to add.</summary>
    public double[] RevealedFractions { get; init; } = [];

    public PolicyCatalog.MixLlmSettings MixLlm { get; init; } = new();
}
