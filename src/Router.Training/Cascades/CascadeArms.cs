using Router.Core.Arms;
using Router.Core.Verification;
using Router.Training.Data;

namespace Router.Training.Cascades;

/// <summary>
/// Adds cascades (<see cref="CascadeSpec"/>) to a data set as virtual arms whose outcome on every query follows from
/// the recorded responses: quality of the answer returned, cost of every call made. A virtual arm is priced at $1 per
/// million "completion tokens" and nothing per prompt token, its completion tokens being its cost in micro-dollars,
/// so every predictor learns a cascade's expected bill (escalations included) as it learns a length. Its latency prior
/// is pessimistic: the slowest member's time to first token plus the escalation arm's.
/// </summary>
internal static class CascadeArms
{
    /// <summary>Longest normalised answer compared for agreement; longer answers (code, prose) never agree.</summary>
    public const int MaxAnswerLength = AnswerForm.MaxShortLength;

    public static (RoutingDataset Data, IReadOnlyList<ArmDefinition> Arms) Add(RoutingDataset data, IReadOnlyList<ArmDefinition> arms, IReadOnlyList<CascadeSpec> cascades)
    {
        var names = data.Arms.Concat(cascades.Select(c => c.Name)).ToList();
        var defs = arms.Concat(cascades.Select(c => new ArmDefinition
        {
            Name = c.Name,
            InputPricePerMillion = 0,
            OutputPricePerMillion = 1,
            MaxConcurrency = c.Members.Append(c.Escalation).Min(m => arms[m].MaxConcurrency),
            TimeToFirstTokenSeconds = c.Members.Max(m => arms[m].TimeToFirstTokenSeconds) + arms[c.Escalation].TimeToFirstTokenSeconds,
            TokensPerSecond = 1e9,
            Tags = ["cascade"],
        })).ToList();
        var queries = data.Queries.Select(q => new DatasetQuery
        {
            Id = q.Id,
            Prompt = q.Prompt,
            Task = q.Task,
            Tags = q.Tags,
            PromptTokens = q.PromptTokens,
            Outcomes = [.. q.Outcomes, .. cascades.Select(c => Outcome(q, c, arms))],
        }).ToList();
        return (new RoutingDataset(names, queries), defs);
    }

    /// <summary>The cascade's outcome on one query; null when a member or the escalation arm has no recorded outcome.</summary>
    public static ArmOutcome? Outcome(DatasetQuery query, CascadeSpec cascade, IReadOnlyList<ArmDefinition> arms)
    {
        if (cascade.Members.Append(cascade.Escalation).Any(a => query.Outcomes[a] is null))
        {
            return null;
        }

        double Cost(int a)
        {
            var o = query.Outcomes[a]!;
            return o.CostUsd ?? arms[a].CostUsd(o.PromptTokens, o.CompletionTokens ?? 0);
        }

        var first = NormalizeAnswer(query.Outcomes[cascade.Members[0]]!.Response);
        var agree = first is not null && cascade.Members.Skip(1).All(m => NormalizeAnswer(query.Outcomes[m]!.Response) == first);
        var answered = agree ? cascade.Members[0] : cascade.Escalation;
        var cost = cascade.Members.Sum(Cost) + (agree ? 0 : Cost(cascade.Escalation));
        return new ArmOutcome
        {
            Quality = query.Outcomes[answered]!.Quality,
            CostUsd = cost,
            PromptTokens = query.PromptTokens,
            CompletionTokens = (int)Math.Round(cost * 1_000_000),
            Response = query.Outcomes[answered]!.Response,
        };
    }

    /// <summary>
    /// The answer to compare: trimmed of white space, quotes and a final period, upper-cased; null when empty or longer
    /// than <see cref="MaxAnswerLength"/> characters (then members never agree and the cascade escalates).
    /// </summary>
    public static string? NormalizeAnswer(string? response) => AnswerForm.Short(response);
}
