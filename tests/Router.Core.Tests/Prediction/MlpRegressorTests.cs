using Router.Core.Prediction;

namespace Router.Core.Tests.Prediction;

public sealed class MlpRegressorTests
{
    [Fact]
    public void Fit_NonlinearTarget_BeatsRidge()
    {
        // Quality 1 when the two coordinates share a sign (XOR-like): no linear model can fit it.
        var random = new Random(4);
        const int n = 400;
        var x = new double[n * 2];
        var z = new double[n * 3];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[2 * i] = (random.NextDouble() * 2) - 1;
            x[(2 * i) + 1] = (random.NextDouble() * 2) - 1;
            z[3 * i] = x[2 * i];
            z[(3 * i) + 1] = x[(2 * i) + 1];
            z[(3 * i) + 2] = 1;
            y[i] = x[2 * i] * x[(2 * i) + 1] > 0 ? 1 : 0;
        }

        var mlp = MlpRegressor.Fit(x, y, 2, hidden: 16, epochs: 200, learningRate: 0.02);
        var ridge = RidgeRegression.Fit(z, y, 3, 1.0);
        double mlpError = 0, ridgeError = 0;
        for (var i = 0; i < n; i++)
        {
            mlpError += Math.Pow(mlp.Predict(x.AsSpan(2 * i, 2)) - y[i], 2);
            ridgeError += Math.Pow(Math.Clamp(ridge.Predict(z.AsSpan(3 * i, 3)), 0, 1) - y[i], 2);
        }

        Assert.True(mlpError < ridgeError / 2, $"MLP {mlpError / n:F3} vs ridge {ridgeError / n:F3}");
    }

    [Fact]
    public void Update_RepeatedTarget_MovesPredictionTowardsIt()
    {
        var mlp = MlpRegressor.Fit(new double[4], [0.5, 0.5], 2, hidden: 4, epochs: 1);
        double[] e = [0.3, -0.7];
        var before = mlp.Predict(e);
        var copy = mlp.Clone();
        for (var i = 0; i < 50; i++)
        {
            copy.Update(e, 1.0);
        }

        Assert.True(copy.Predict(e) > before + 0.2);
        Assert.Equal(before, mlp.Predict(e)); // the original is untouched
    }
}
