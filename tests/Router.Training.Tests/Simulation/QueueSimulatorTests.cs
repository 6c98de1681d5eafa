using Router.Core.Arms;
using Router.Training.Simulation;

namespace Router.Training.Tests.Simulation;

public sealed class QueueSimulatorTests
{
    private static readonly ArmDefinition Slow = new() { Name = "slow", MaxConcurrency = 1, TimeToFirstTokenSeconds = 1, TokensPerSecond = 10 };
    private static readonly ArmDefinition Wide = new() { Name = "wide", MaxConcurrency = 2, TimeToFirstTokenSeconds = 1, TokensPerSecond = 10 };

    [Fact]
    public void Submit_OneSlot_SecondRequestWaitsForTheFirst()
    {
        var sim = new QueueSimulator([Slow]);

        // 1 s to first token + 10 tokens at 10/s = 2 s.
        Assert.Equal((0.0, 2.0), sim.Submit(0, 0, 10));

        // Arrives at 0.5, slot free at 2: waits 1.5, then 2 s (10 tokens) → total 3.5.
        Assert.Equal((1.5, 3.5), sim.Submit(0, 0.5, 10));
        Assert.Equal(3.5, sim.Wait(0, 0.5), 12);
        Assert.Equal(3.5 + 1.5, sim.ExpectedTime(0, 0.5, 5), 12);
    }

    [Fact]
    public void Submit_TwoSlots_RunInParallelThenQueue()
    {
        var sim = new QueueSimulator([Wide]);

        Assert.Equal(0, sim.Submit(0, 0, 10).Wait);
        Assert.Equal(0, sim.Submit(0, 0, 20).Wait);     // second slot, busy until 3
        Assert.Equal(1.5, sim.Submit(0, 0.5, 0).Wait);  // earliest slot frees at 2
    }

    [Fact]
    public void PoissonArrivals_SeededAndMeanGapMatchesRate()
    {
        var a = QueueSimulator.PoissonArrivals(20_000, 4, 7);
        var b = QueueSimulator.PoissonArrivals(20_000, 4, 7);

        Assert.Equal(a, b);
        Assert.True(a.Zip(a.Skip(1)).All(p => p.Second > p.First));
        Assert.InRange(a[^1] / a.Length, 0.24, 0.26);
    }
}
