using Router.Core.Arms;
using Router.Training.Cascades;
using Router.Training.Data;

namespace Router.Training.Tests.Cascades;

public sealed class CascadeArmsTests
{
    private static readonly string[] Names = ["zero-one-ai/Yi-34B-Chat", "mistralai/mixtral-8x7b-chat", "mistralai/mistral-7b-chat", "gpt-4-1106-preview"];

    private static readonly ArmDefinition[] Arms = Names.Select(n => new ArmDefinition { Name = n, OutputPricePerMillion = 1, TimeToFirstTokenSeconds = 0.5 }).ToArray();

    private static DatasetQuery Query(params (string Response, double Quality, double Cost)[] outcomes) => new()
    {
        Id = "q",
        Prompt = "Which? A) x B) y",
        Task = "t",
        PromptTokens = 7,
        Outcomes = outcomes.Select(o => (ArmOutcome?)new ArmOutcome { Quality = o.Quality, CostUsd = o.Cost, Response = o.Response }).ToArray(),
    };

    [Fact]
    public void Parse_MatchesUniqueSubstrings_AndNamesByShortNames()
    {
        var spec = CascadeSpec.Parse("Yi+mixtral>gpt-4", Names);

        Assert.Equal([0, 1], spec.Members);
        Assert.Equal(3, spec.Escalation);
        Assert.Equal("Yi-34B-Chat+mixtral-8x7b-chat>gpt-4-1106-preview", spec.Name);
    }

    [Theory]
    [InlineData("Yi+mixtral", "expected")]
    [InlineData("Yi>gpt-4", "two different members")]
    [InlineData("Yi+Yi>gpt-4", "two different members")]
    [InlineData("Yi+nothing>gpt-4", "no arm matches 'nothing'")]
    [InlineData("Yi+mistral>gpt-4", "matches several arms")]
    [InlineData("Yi+mixtral>Yi", "also a member")]
    public void Parse_Malformed_SaysWhy(string text, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => CascadeSpec.Parse(text, Names)).Message, StringComparison.Ordinal);

    [Fact]
    public void Outcome_MembersAgree_ReturnsFirstMembersAnswer_AndPaysTheMembersOnly()
    {
        var spec = CascadeSpec.Parse("Yi+mixtral>gpt-4", Names);
        var q = Query((" b.", 0, 0.001), ("B\n", 0, 0.002), ("A", 1, 0.0005), ("A", 1, 0.01));

        var outcome = CascadeArms.Outcome(q, spec, Arms)!;

        Assert.Equal(0, outcome.Quality);
        Assert.Equal(0.003, outcome.CostUsd!.Value, 12);
        Assert.Equal(3000, outcome.CompletionTokens);
        Assert.Equal(" b.", outcome.Response);
    }

    [Fact]
    public void Outcome_MembersDisagree_Escalates_AndPaysEveryCall()
    {
        var spec = CascadeSpec.Parse("Yi+mixtral>gpt-4", Names);
        var q = Query(("B", 0, 0.001), ("A", 1, 0.002), ("A", 1, 0.0005), ("A", 1, 0.01));

        var outcome = CascadeArms.Outcome(q, spec, Arms)!;

        Assert.Equal(1, outcome.Quality);
        Assert.Equal(0.013, outcome.CostUsd!.Value, 12);
    }

    [Fact]
    public void Outcome_LongAnswers_NeverAgree()
    {
        var code = "def f(x):\n    return sorted(set(x))  # the same long answer from both";
        var spec = CascadeSpec.Parse("Yi+mixtral>gpt-4", Names);
        var outcome = CascadeArms.Outcome(Query((code, 1, 0.001), (code, 1, 0.002), ("A", 0, 0.0005), ("x", 0, 0.01)), spec, Arms)!;

        Assert.Null(CascadeArms.NormalizeAnswer(code));
        Assert.Equal(0, outcome.Quality); // escalated to gpt-4, which was wrong here
    }

    [Fact]
    public void Add_AppendsVirtualArmPricedByItsCost_MissingWhenAMemberIsMissing()
    {
        var spec = CascadeSpec.Parse("Yi+mixtral>gpt-4", Names);
        var full = Query(("A", 1, 0.001), ("A", 1, 0.002), ("A", 1, 0.0005), ("A", 1, 0.01));
        var partial = new DatasetQuery { Id = "p", Prompt = "p", Task = "t", Outcomes = [full.Outcomes[0], null, full.Outcomes[2], full.Outcomes[3]] };

        var (data, arms) = CascadeArms.Add(new RoutingDataset(Names, [full, partial]), Arms, [spec]);

        Assert.Equal(spec.Name, data.Arms[^1]);
        Assert.Equal(5, arms.Count);
        Assert.Equal(0.003, arms[^1].CostUsd(7, data.Queries[0].Outcomes[^1]!.CompletionTokens!.Value), 12);
        Assert.Equal(1.0, arms[^1].TimeToFirstTokenSeconds);
        Assert.Null(data.Queries[1].Outcomes[^1]);
    }
}
