using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Router.Core.Budget;

namespace Router.Gateway.Budget;

/// <summary>
/// The budget autopilot's controllers, one per scope (<see cref="BudgetScopes"/>), fed by the learning-log fold with
/// every routed request's realised cost (<see cref="Learning.EngineFold"/>), so each replica folds the same entries in
/// the same order and holds the same λ; the state is part of the fold's snapshot. Writers are serialised by the
/// fold lock; readers (<see cref="LambdaFor"/>, every routed request) read an immutable view without locking.
/// </summary>
public sealed class BudgetAutopilot(IOptions<LambdaControllerOptions> options)
{
    private readonly LambdaControllerOptions _options = options.Value;
    private readonly Dictionary<string, LambdaController> _controllers = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, AutopilotView> _views = ImmutableDictionary.Create<string, AutopilotView>(StringComparer.Ordinal);

    /// <summary>The controller options (λ range, window, gains).</summary>
    public LambdaControllerOptions Options => _options;

    /// <summary>The λ the controller of <paramref name="scope"/> has set; null while it has seen no request.</summary>
    public double? LambdaFor(string scope) => Volatile.Read(ref _views).TryGetValue(scope, out var view) ? view.Lambda : null;

    /// <summary>Every controller's state, by scope.</summary>
    public IReadOnlyDictionary<string, AutopilotView> Views => Volatile.Read(ref _views);

    /// <summary>Folds one routed request's cost (called by the fold, under its lock).</summary>
    internal void Observe(BudgetTag tag, double costUsd, long timeUnixMs)
    {
        if (!_controllers.TryGetValue(tag.Scope, out var controller))
        {
            controller = new LambdaController(_options, tag.StartLambda);
            _controllers[tag.Scope] = controller;
        }

        // A monthly budget becomes a per-request target at the rate observed so far (this request included); until
        // two requests give a rate, the last target stands.
        var target = tag.TargetCostPer1k ?? (tag.TargetMonthlyUsd is { } monthly ? controller.TargetFromMonthly(monthly) : null) ?? controller.TargetCostPer1k;
        controller.Observe(costUsd, timeUnixMs, target);
        Publish(tag.Scope, controller, tag);
    }

    /// <summary>The controllers' states for the snapshot (called under the fold lock).</summary>
    internal Dictionary<string, LambdaControllerState> Capture() =>
        _controllers.ToDictionary(c => c.Key, c => c.Value.Capture(), StringComparer.Ordinal);

    /// <summary>Replaces every controller with the snapshot's (null or empty: none).</summary>
    internal void Restore(IReadOnlyDictionary<string, LambdaControllerState>? states)
    {
        _controllers.Clear();
        Volatile.Write(ref _views, ImmutableDictionary.Create<string, AutopilotView>(StringComparer.Ordinal));
        foreach (var (scope, state) in states ?? new Dictionary<string, LambdaControllerState>())
        {
            var controller = LambdaController.Restore(_options, state);
            _controllers[scope] = controller;
            Publish(scope, controller, null);
        }
    }

    private void Publish(string scope, LambdaController controller, BudgetTag? tag)
    {
        var view = new AutopilotView(
            controller.Lambda, controller.TargetCostPer1k, tag?.TargetMonthlyUsd, controller.RealisedCostPer1k, controller.WindowCount, controller.Observed);
        Volatile.Write(ref _views, Volatile.Read(ref _views).SetItem(scope, view));
    }
}
