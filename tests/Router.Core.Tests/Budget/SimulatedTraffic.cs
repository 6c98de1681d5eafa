namespace Router.Core.Tests.Budget;

/// <summary>
/// A routed stream for the controller tests: five arms whose per-request cost spans 300×, per-query quality with
/// noise, the MixLLM choice argmax λ·q − c/c_ref, and realised cost with log-normal noise around the arm's price.
/// <see cref="Easy"/> traffic narrows the quality gap of the dear arms (a mix shift: the same λ then spends less).
/// </summary>
internal sealed class SimulatedTraffic(int seed)
{
    private static readonly double[] Cost = [0.0001, 0.0005, 0.002, 0.01, 0.03];
    private static readonly double[] HardQuality = [0.35, 0.5, 0.62, 0.74, 0.82];
    private static readonly double[] EasyQuality = [0.7, 0.78, 0.82, 0.85, 0.87];
    private readonly Random _random = new(seed);

    public bool Easy { get; set; }

    /// <summary>One request at <paramref name="lambda"/>: the realised cost of the arm chosen.</summary>
    public double Next(double lambda)
    {
        var quality = Easy ? EasyQuality : HardQuality;
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var a = 0; a < Cost.Length; a++)
        {
            var q = quality[a] + (0.1 * Gaussian());
            var score = (lambda * q) - (Cost[a] / Cost[^1]);
            if (score > bestScore)
            {
                bestScore = score;
                best = a;
            }
        }

        return Cost[best] * Math.Exp((0.5 * Gaussian()) - 0.125);
    }

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}
