using Router.Training.Evaluation;

namespace Router.Training.Simulation;

/// <summary>
/// A simulated user's stated reward for arm a's recorded answer to query i (docs/results/personas/report.md). The
/// reward is what the user sends as feedback; the shared model learns it clamped to [0, 1] (the gateway's score range),
/// the personal model learns reward − p̂ unclamped.
/// </summary>
/// <param name="Name">Short name.</param>
/// <param name="Description">The reward function in words.</param>
/// <param name="Reward">(set, query, arm) → reward; NaN when the data set has no outcome.</param>
internal sealed record Persona(string Name, string Description, Func<EvalSet, int, int, double> Reward)
{
    /// <summary>Tokens at which the terse persona's length penalty is full.</summary>
    public const double TerseFullPenaltyTokens = 300;

    /// <summary>The terse persona's largest length penalty.</summary>
    public const double TersePenalty = 0.5;

    /// <summary>The vendor-loyal persona's bonus for an answer from its family.</summary>
    public const double LoyaltyBonus = 0.3;

    /// <summary>The vendor-loyal persona's family (arm-name prefix).</summary>
    public const string LoyalFamily = "gpt-";

    /// <summary>Correctness.</summary>
    public static Persona Standard { get; } = new("standard", "correctness (0/1)", (s, i, a) => s.Quality[(i * s.K) + a]);

    /// <summary>Correctness minus a penalty growing with the recorded answer's length.</summary>
    public static Persona Terse { get; } = new("terse",
        FormattableString.Invariant($"correctness − {TersePenalty}·min(1, completion tokens / {TerseFullPenaltyTokens}) (recorded answers' lengths)"),
        (s, i, a) => s.Quality[(i * s.K) + a] - (TersePenalty * Math.Min(1, Tokens(s, i, a) / TerseFullPenaltyTokens)));

    /// <summary>Correctness plus a bonus for one vendor's arms.</summary>
    public static Persona VendorLoyal { get; } = new("vendor-loyal",
        FormattableString.Invariant($"correctness + {LoyaltyBonus} for any `{LoyalFamily}*` arm"),
        (s, i, a) => s.Quality[(i * s.K) + a] + (s.Arms[a].Name.StartsWith(LoyalFamily, StringComparison.Ordinal) ? LoyaltyBonus : 0));

    /// <summary>Correctness, doubled on coding (mbpp) queries.</summary>
    public static Persona HarshCoder { get; } = new("harsh-coder", "correctness, counted double on mbpp (coding) queries",
        (s, i, a) => s.Quality[(i * s.K) + a] * (s.Tasks[i].Contains("mbpp", StringComparison.OrdinalIgnoreCase) ? 2 : 1));

    /// <summary>The four personas, standard first.</summary>
    public static IReadOnlyList<Persona> All { get; } = [Standard, Terse, VendorLoyal, HarshCoder];

    private static double Tokens(EvalSet s, int i, int a)
    {
        var tokens = s.CompletionTokens[(i * s.K) + a];
        return double.IsNaN(tokens) ? 0 : tokens;
    }
}
