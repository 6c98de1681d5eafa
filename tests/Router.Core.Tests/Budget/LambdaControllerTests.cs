using Router.Core.Budget;

namespace Router.Core.Tests.Budget;

public sealed class LambdaControllerTests
{
    private static readonly LambdaControllerOptions Options = new();

    [Theory]
    [InlineData(1.0, 1)]
    [InlineData(4.0, 2)]
    [InlineData(12.0, 3)]
    public void Observe_SteadyTarget_ConvergesWithinFewHundredAndHoldsTenPercent(double target, int seed)
    {
        var traffic = new SimulatedTraffic(seed);
        var controller = new LambdaController(Options, 1.0);
        var costs = Run(traffic, controller, 2400, target);

        // "Converged" = every later 500-request stretch is within ±10%; the first 400 requests are the transient.
        for (var start = 400; start + 500 <= costs.Count; start += 500)
        {
            AssertWithin(target, costs.Skip(start).Take(500).Average() * 1000, 0.10);
        }
    }

    [Fact]
    public void Observe_TargetStepsUpThenDown_FollowsEach()
    {
        var traffic = new SimulatedTraffic(7);
        var controller = new LambdaController(Options, 1.0);
        var first = Run(traffic, controller, 1500, 2.0);
        var lambdaAtTwo = controller.Lambda;
        var second = Run(traffic, controller, 1500, 10.0);
        var lambdaAtTen = controller.Lambda;
        var third = Run(traffic, controller, 1500, 2.0);

        AssertWithin(2.0, first.Skip(500).Average() * 1000, 0.10);
        AssertWithin(10.0, second.Skip(500).Average() * 1000, 0.10);
        AssertWithin(2.0, third.Skip(500).Average() * 1000, 0.10);
        Assert.True(lambdaAtTen > lambdaAtTwo, $"λ at $10/1k ({lambdaAtTen}) should exceed λ at $2/1k ({lambdaAtTwo})");
    }

    [Fact]
    public void Observe_TrafficMixShifts_ReturnsToTarget()
    {
        var traffic = new SimulatedTraffic(11);
        var controller = new LambdaController(Options, 1.0);
        var hard = Run(traffic, controller, 1500, 5.0);
        var lambdaHard = controller.Lambda;
        traffic.Easy = true;   // the dear arms' edge shrinks: at the old λ the router would spend far less
        var easy = Run(traffic, controller, 1500, 5.0);

        AssertWithin(5.0, hard.Skip(500).Average() * 1000, 0.10);
        AssertWithin(5.0, easy.Skip(500).Average() * 1000, 0.10);
        Assert.True(controller.Lambda > lambdaHard, "easy traffic needs a larger λ to spend the same");
    }

    [Theory]
    [InlineData(0.001)]   // below the cheapest arm's cost: λ is driven to its floor
    [InlineData(1000.0)]  // above the dearest arm's cost: λ is driven to its ceiling
    public void Observe_UnreachableTarget_LambdaStaysInRange(double target)
    {
        var traffic = new SimulatedTraffic(3);
        var controller = new LambdaController(Options, 1.0);
        for (var i = 0; i < 3000; i++)
        {
            controller.Observe(traffic.Next(controller.Lambda), i, target);
            Assert.InRange(controller.Lambda, Options.MinLambda, Options.MaxLambda);
        }

        Assert.Equal(target < 1 ? Options.MinLambda : Options.MaxLambda, controller.Lambda, 6);
    }

    [Fact]
    public void Restore_FromCapturedState_ContinuesBitIdentically()
    {
        var traffic = new SimulatedTraffic(5);
        var original = new LambdaController(Options, 2.0);
        Run(traffic, original, 333, 4.0);
        var restored = LambdaController.Restore(Options, original.Capture());
        for (var i = 0; i < 500; i++)
        {
            var cost = traffic.Next(original.Lambda);
            original.Observe(cost, 1000 + i, 4.0);
            restored.Observe(cost, 1000 + i, 4.0);
            Assert.Equal(original.Lambda, restored.Lambda);
        }

        Assert.Equal(original.RealisedCostPer1k, restored.RealisedCostPer1k);
    }

    [Fact]
    public void TargetFromMonthly_ObservedRate_GivesPerThousandTarget()
    {
        var controller = new LambdaController(Options, 1.0);
        for (var i = 0; i <= 10; i++)
        {
            controller.Observe(0.001, i * 1000L, 1.0); // one request a second
        }

        // $2,592 a month at 1 request/s (2,592,000 requests in 30 days) = $1 per 1,000 requests.
        Assert.Equal(1.0, controller.TargetFromMonthly(2592)!.Value, 9);
    }

    private static List<double> Run(SimulatedTraffic traffic, LambdaController controller, int requests, double target)
    {
        var costs = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var cost = traffic.Next(controller.Lambda);
            controller.Observe(cost, controller.Observed * 100, target);
            costs.Add(cost);
        }

        return costs;
    }

    private static void AssertWithin(double target, double actual, double tolerance) =>
        Assert.True(Math.Abs(actual - target) <= tolerance * target, $"realised {actual:0.###} vs target {target:0.###} (±{tolerance:P0})");
}
