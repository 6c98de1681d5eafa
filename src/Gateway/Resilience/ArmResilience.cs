using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Router.Gateway.Forwarding;
using Router.Gateway.Telemetry;

namespace Router.Gateway.Resilience;

/// <summary>
/// One Polly pipeline per arm, built from <see cref="ResilienceOptions.For"/> the arm (global settings, the arm's
/// overrides on top): retry with jittered exponential backoff (only for transient failures before the
/// first byte reached the client) around a circuit breaker (failure ratio over a sliding window). While an arm's
/// circuit is open the arm is not a routing candidate (<see cref="IsAvailable"/>); when the break has elapsed it is
/// offered again and the next request is the half-open trial. Polly runs on the injected <see cref="TimeProvider"/>
/// (tests drive the breaker with fake time). Thread-safe singleton.
/// </summary>
public sealed class ArmResilience
{
    /// <summary>Resilience-context key of the request id (for logs).</summary>
    internal static readonly ResiliencePropertyKey<string> RequestIdKey = new("router.request-id");

    private readonly ConcurrentDictionary<string, ArmCircuit> _arms = new(StringComparer.OrdinalIgnoreCase);
    private readonly ResilienceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ArmResilience> _logger;
    private readonly Random _jitter;
    private readonly Lock _jitterLock = new();

    /// <summary>Creates the registry (DI).</summary>
    public ArmResilience(IOptions<ResilienceOptions> options, TimeProvider time, ILogger<ArmResilience> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _jitter = new Random(_options.JitterSeed);
    }

    /// <summary>The global settings (each arm's: <see cref="OptionsFor"/>).</summary>
    public ResilienceOptions Options => _options;

    /// <summary>The settings in force for <paramref name="arm"/> (global, with its overrides on top; computed once per arm).</summary>
    public ResilienceOptions OptionsFor(string arm) => _arms.GetOrAdd(arm, Create).Options;

    /// <summary>Arms whose circuit exists, with their state (for the circuit-state gauge and the admin API).</summary>
    public IEnumerable<KeyValuePair<string, CircuitState>> States =>
        _arms.Select(a => KeyValuePair.Create(a.Key, EffectiveState(a.Value)));

    /// <summary>
    /// False while the arm's circuit is open and its break has not elapsed: the arm is left out of routing
    /// candidates and of fallback lists. True otherwise (closed, half-open, or break elapsed: the next call is the trial).
    /// </summary>
    public bool IsAvailable(string arm) =>
        !_arms.TryGetValue(arm, out var circuit) || EffectiveState(circuit) != CircuitState.Open;

    /// <summary>The arm's circuit state as routing sees it (Open becomes HalfOpen once the break has elapsed).</summary>
    public CircuitState StateOf(string arm) =>
        _arms.TryGetValue(arm, out var circuit) ? EffectiveState(circuit) : CircuitState.Closed;

    /// <summary>Time left before an open circuit lets a trial through; zero when not open.</summary>
    public TimeSpan RemainingBreak(string arm)
    {
        if (!_arms.TryGetValue(arm, out var circuit) || circuit.Provider.CircuitState != CircuitState.Open)
        {
            return TimeSpan.Zero;
        }

        var left = circuit.OpenUntil - _time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>The arm's pipeline (created on first use).</summary>
    internal ResiliencePipeline<UpstreamAttempt> PipelineFor(string arm) => _arms.GetOrAdd(arm, Create).Pipeline;

    private CircuitState EffectiveState(ArmCircuit circuit)
    {
        var state = circuit.Provider.CircuitState;

        // Polly moves Open → HalfOpen only when a call arrives; routing must offer the arm for that call to happen.
        return state == CircuitState.Open && _time.GetUtcNow() >= circuit.OpenUntil ? CircuitState.HalfOpen : state;
    }

    private ArmCircuit Create(string arm)
    {
        var options = _options.For(arm);
        var provider = new CircuitBreakerStateProvider();
        var circuit = new ArmCircuit(provider, options);
        var builder = new ResiliencePipelineBuilder<UpstreamAttempt> { TimeProvider = _time, Name = "arm:" + arm };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<UpstreamAttempt>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                Randomizer = NextJitter,

                // Never after the first byte: Retryable is false once the response has started (see UpstreamAttempt).
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Retryable: true }),
                OnRetry = args =>
                {
                    HardeningLog.Retrying(_logger, args.Context.Properties.GetValue(RequestIdKey, "?"), arm, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<UpstreamAttempt>
        {
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumThroughput,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
            StateProvider = provider,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Result is { CountsAsArmFailure: true } ||
                args.Outcome.Exception is { } ex && ex is not OperationCanceledException),
            OnOpened = args =>
            {
                circuit.OpenUntil = _time.GetUtcNow() + args.BreakDuration;
                HardeningLog.CircuitOpened(_logger, arm, args.BreakDuration.TotalSeconds);
                return default;
            },
            OnHalfOpened = _ =>
            {
                HardeningLog.CircuitHalfOpened(_logger, arm);
                return default;
            },
            OnClosed = _ =>
            {
                HardeningLog.CircuitClosed(_logger, arm);
                return default;
            },
        });
        circuit.Pipeline = builder.Build();
        return circuit;
    }

    private double NextJitter()
    {
        lock (_jitterLock)
        {
            return _jitter.NextDouble();
        }
    }

    private sealed class ArmCircuit(CircuitBreakerStateProvider provider, ResilienceOptions options)
    {
        public CircuitBreakerStateProvider Provider { get; } = provider;

        public ResilienceOptions Options { get; } = options;

        public ResiliencePipeline<UpstreamAttempt> Pipeline { get; set; } = null!;

        private long _openUntilUtcTicks;

        // Read by routing threads while Polly's callback writes it: ticks, so reads never tear.
        public DateTimeOffset OpenUntil
        {
            get => new(Volatile.Read(ref _openUntilUtcTicks), TimeSpan.Zero);
            set => Volatile.Write(ref _openUntilUtcTicks, value.UtcTicks);
        }
    }
}
