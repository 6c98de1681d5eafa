using Router.Core.Arms;
using Router.Training.Data;
using Router.Training.Evaluation;

namespace Router.Training.Tests.Evaluation;

public sealed class TaskOracleBoundTests
{
    // One task, three arms priced so that a prompt of 0 tokens and c completion tokens costs c µ$ ($1/M).
    private static readonly ArmDefinition[] Arms =
    [
        new() { Name = "cheap", OutputPricePerMillion = 1 },
        new() { Name = "middle", OutputPricePerMillion = 1 },
        new() { Name = "dear", OutputPricePerMillion = 1 },
    ];

    /// <summary>Rows of (quality, cost in µ$) per arm.</summary>
    private static EvalSet Set(params (double Q, int C)[][] rows) => EvalSet.Create(
        new RoutingDataset(Arms.Select(a => a.Name).ToList(), rows.Select((r, i) => new DatasetQuery
        {
            Id = "q" + i,
            Prompt = "p" + i,
            Task = i % 2 == 0 ? "even" : "odd",
            Outcomes = r.Select(x => (ArmOutcome?)new ArmOutcome { Quality = x.Q, CompletionTokens = x.C }).ToArray(),
        }).ToList()),
        new float[rows.Length * 2], 2, Arms);

    [Fact]
    public void Hull_DropsDominatedAndBelowChordArms()
    {
        // Totals over 2 rows: cheap (0 q, 2 µ$), middle (0.5 q... below the chord), dear (2 q, 20 µ$).
        var set = Set([(0, 1), (0.1, 5), (1, 10)], [(0, 1), (0.1, 5), (1, 10)]);

        var hull = TaskOracleBound.Hull(set, [0, 1]);

        // middle: (10 µ$, 0.2) lies below the chord from (2, 0) to (20, 2) (which gives 0.89 at 10 µ$).
        Assert.Equal([0, 2], hull.Select(v => v.Arm));
        Assert.Equal(2e-6, hull[0].Cost, 12);
        Assert.Equal(2, hull[1].Quality);
    }

    [Fact]
    public void Hull_KeepsConcaveMiddleArm_AndSkipsDearerWorseOnes()
    {
        // middle gains 0.9 for 4 µ$, dear 0.1 more for 5 µ$ more: concave, all three stay; a 4th arm dearer and worse never would.
        var set = Set([(0, 1), (0.9, 5), (1, 10)]);

        Assert.Equal([0, 1, 2], TaskOracleBound.Hull(set, [0]).Select(v => v.Arm));
    }

    [Fact]
    public void Sweep_SpendsOnTheSteepestSegmentFirst_AndSplitsOneGroupAtAFractionalBudget()
    {
        // Task "even" (rows 0, 2): upgrading cheap → dear gains 1 per 9 µ$ per row. Task "odd" (rows 1, 3): gains 1 per 99 µ$.
        var set = Set(
            [(0, 1), (0, 50), (1, 10)],
            [(0, 1), (0, 50), (1, 100)],
            [(0, 1), (0, 50), (1, 10)],
            [(0, 1), (0, 50), (1, 100)]);
        var bound = new TaskOracleBound(0, seed: 1);
        bound.Prepare(set, set, CancellationToken.None);

        int[] At(double lambda) => Enumerable.Range(0, set.N).Select(i => bound.Choose(i, lambda, null, 0, double.PositiveInfinity)).ToArray();

        Assert.Equal([0, 0, 0, 0], At(0));
        Assert.Equal([2, 2, 2, 2], At(1e5));

        // Budget share s of the range [4 µ$, 4 + 18 + 198 µ$]: 18/216 buys exactly the even task's upgrade.
        var evenOnly = Math.Pow(10, 7 * (18.0 / 216) - 2);
        Assert.Equal([2, 0, 2, 0], At(evenOnly * 1.0001));

        // Half of the odd task's segment on top: one of its two rows upgraded.
        var halfOdd = Math.Pow(10, 7 * ((18 + 99.0) / 216) - 2);
        var choices = At(halfOdd * 1.0001);
        Assert.Equal(2, choices[0]);
        Assert.Equal(2, choices[2]);
        Assert.Equal(1, new[] { choices[1], choices[3] }.Count(a => a == 2));
    }

    [Fact]
    public void Reveal_All_IsThePerQueryOracleAtItsBudget()
    {
        // Row 0: only dear is right; row 1: cheap is right. Knowing every outcome, the bound pays the dear arm on row 0 only.
        var set = Set([(0, 1), (0, 2), (1, 10)], [(1, 1), (0, 2), (1, 10)]);
        var bound = new TaskOracleBound(1, seed: 1);
        bound.Prepare(set, set, CancellationToken.None);

        Assert.Equal("task-oracle+reveal=1", bound.Name);
        Assert.Equal(2, bound.Choose(0, 1e5, null, 0, 1));
        Assert.Equal(0, bound.Choose(1, 1e5, null, 0, 1));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void RevealedFraction_OutsideUnitInterval_Throws(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskOracleBound(fraction, 1));
}
