namespace Router.Core.Budget;

/// <summary>
/// The budget autopilot: moves λ online so that the realised cost per request tracks a target. A PI controller on
/// log λ over a sliding window of realised cost:
/// <code>
///   ĉ_t  = (1/W) Σ_{last W requests} cost                    (realised cost, USD per request)
///   e_t  = clamp((c* − ĉ_t) / c*, −1, 1)                     (relative error; c* the target per request)
///   I_t  = clamp(I_{t−1} + k_i·e_t, log λ_min, log λ_max)    (integral, clamped: anti-windup)
///   λ_t  = exp(clamp(I_t + k_p·e_t, log λ_min, log λ_max))
/// </code>
/// Why this form: the integral step is projected dual (sub)gradient ascent on the Lagrange multiplier of the cost
/// constraint E[c] ≤ c* (Boyd &amp; Vandenberghe, Convex Optimization, §5; the same λ-as-price update as budget pacing
/// in online advertising, Balseiro &amp; Gur, "Learning in Repeated Auctions with Budgets", Management Science 2019),
/// taken on log λ because the router's cost responds to λ multiplicatively (λ weighs quality against cost/c_ref in
/// MixLLM's score) and because it keeps λ positive. The proportional term is the P of a PI loop (Åström &amp; Murray,
/// Feedback Systems, ch. 10), damping the lag the window adds; clamping the integral is the usual anti-windup.
/// Because E[e] = 0 at the fixed point and e is linear in ĉ (not in log ĉ), the long-run mean cost equals c*.
/// λ rises when the router spends less than the target (quality is worth more) and falls when it spends more.
/// Deterministic: the same observations in the same order give the same λ (replicas fold the same log).
/// Not thread-safe: the owner serialises calls (the learning-log fold does).
/// </summary>
public sealed class LambdaController
{
    private readonly LambdaControllerOptions _options;
    private readonly Queue<(double Cost, long TimeMs)> _window = new();
    private readonly double _logMin;
    private readonly double _logMax;
    private double _windowSum;
    private double _integral;
    private double _lambda;

    /// <summary>A controller starting at <paramref name="initialLambda"/> (clamped into the range).</summary>
    public LambdaController(LambdaControllerOptions options, double initialLambda)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logMin = Math.Log(options.MinLambda);
        _logMax = Math.Log(options.MaxLambda);
        _integral = Math.Clamp(Math.Log(double.IsFinite(initialLambda) && initialLambda > 0 ? initialLambda : 1), _logMin, _logMax);
        _lambda = Math.Exp(_integral);
    }

    /// <summary>The λ in force.</summary>
    public double Lambda => _lambda;

    /// <summary>Requests observed in all.</summary>
    public long Observed { get; private set; }

    /// <summary>The target of the last observation, USD per 1,000 requests.</summary>
    public double TargetCostPer1k { get; private set; }

    /// <summary>Requests in the window.</summary>
    public int WindowCount => _window.Count;

    /// <summary>Mean cost over the window × 1,000 (USD per 1,000 requests); 0 for an empty window.</summary>
    public double RealisedCostPer1k => _window.Count == 0 ? 0 : _windowSum / _window.Count * 1000;

    /// <summary>
    /// Requests per second over the window (from the first to the last completion time); 0 with fewer than two or no
    /// time between them.
    /// </summary>
    public double RequestsPerSecond
    {
        get
        {
            if (_window.Count < 2)
            {
                return 0;
            }

            var span = (_window.Last().TimeMs - _window.Peek().TimeMs) / 1000.0;
            return span > 0 ? (_window.Count - 1) / span : 0;
        }
    }

    /// <summary>A per-1k target from a monthly budget and the observed request rate (30-day month); null until a rate is known.</summary>
    public double? TargetFromMonthly(double monthlyUsd)
    {
        var rate = RequestsPerSecond;
        return rate > 0 ? monthlyUsd / (rate * 30 * 86_400) * 1000 : null;
    }

    /// <summary>Folds one routed request's realised cost and takes a controller step towards <paramref name="targetCostPer1k"/>.</summary>
    public void Observe(double costUsd, long timeUnixMs, double targetCostPer1k)
    {
        var cost = double.IsFinite(costUsd) && costUsd > 0 ? costUsd : 0;
        _window.Enqueue((cost, timeUnixMs));
        while (_window.Count > _options.Window)
        {
            _window.Dequeue();
        }

        // Summed afresh (W additions) rather than kept as a running sum, so a controller restored from a snapshot
        // gives bit-identical λ to one that never stopped (a running sum carries its own rounding history).
        _windowSum = 0;
        foreach (var (c, _) in _window)
        {
            _windowSum += c;
        }

        Observed++;
        TargetCostPer1k = targetCostPer1k;
        if (_window.Count < _options.MinSamples || !(targetCostPer1k > 0) || !double.IsFinite(targetCostPer1k))
        {
            return;
        }

        var target = targetCostPer1k / 1000;
        var realised = _windowSum / _window.Count;
        var error = Math.Clamp((target - realised) / target, -1, 1);
        _integral = Math.Clamp(_integral + (_options.IntegralGain * error), _logMin, _logMax);
        _lambda = Math.Exp(Math.Clamp(_integral + (_options.ProportionalGain * error), _logMin, _logMax));
    }

    /// <summary>The state to snapshot.</summary>
    public LambdaControllerState Capture() => new()
    {
        LogLambdaIntegral = _integral,
        Lambda = _lambda,
        Costs = [.. _window.Select(w => w.Cost)],
        TimesUnixMs = [.. _window.Select(w => w.TimeMs)],
        Observed = Observed,
        TargetCostPer1k = TargetCostPer1k,
    };

    /// <summary>A controller restored from <paramref name="state"/>.</summary>
    public static LambdaController Restore(LambdaControllerOptions options, LambdaControllerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var controller = new LambdaController(options, 1);
        controller._integral = Math.Clamp(state.LogLambdaIntegral, controller._logMin, controller._logMax);
        controller._lambda = Math.Clamp(state.Lambda, options.MinLambda, options.MaxLambda);
        var count = Math.Min(state.Costs.Length, state.TimesUnixMs.Length);
        for (var i = Math.Max(0, count - options.Window); i < count; i++)
        {
            controller._window.Enqueue((state.Costs[i], state.TimesUnixMs[i]));
        }

        controller._windowSum = controller._window.Sum(w => w.Cost);
        controller.Observed = state.Observed;
        controller.TargetCostPer1k = state.TargetCostPer1k;
        return controller;
    }
}
