using Router.Core.Learning;
using Router.Core.State;

namespace Router.Gateway.Learning;

/// <summary>
/// The one way the gateway learns: append an engine event to the shared log (never <c>engine.Apply</c> directly); the
/// follower folds it on every replica, this one included.
/// </summary>
public sealed class LearningEventWriter(ILearningEventLog log)
{
    /// <summary>Appends <paramref name="learningEvent"/> deduplicated by (<paramref name="requestId"/>, <paramref name="kind"/>).</summary>
    public ValueTask<AppendResult> AppendAsync(
        string kind, string requestId, LearningEvent learningEvent, double costUsd, CancellationToken cancellationToken, Budget.BudgetTag? budget = null) =>
        log.AppendAsync(kind, IdempotencyKeys.For(requestId, kind), new LoggedEvent(learningEvent, costUsd, budget).Serialize(), cancellationToken);

    /// <summary>Announces an arm joining (registry version <paramref name="version"/>): the engine creates its cold-start state.</summary>
    public ValueTask<AppendResult> ArmAddedAsync(Router.Core.Arms.ArmDefinition arm, long version, CancellationToken cancellationToken) =>
        AppendAsync(LearningKinds.ArmAdded, ArmKey(arm.Name, version), new ArmAdded
        {
            Arm = arm.Name,
            InputPricePerMillion = arm.InputPricePerMillion,
            OutputPricePerMillion = arm.OutputPricePerMillion,
            Tags = [.. arm.Tags],
        }, 0, cancellationToken);

    /// <summary>Announces an arm leaving (registry version <paramref name="version"/>): the engine drops its state.</summary>
    public ValueTask<AppendResult> ArmRemovedAsync(string name, long version, CancellationToken cancellationToken) =>
        AppendAsync(LearningKinds.ArmRemoved, ArmKey(name, version), new ArmRemoved { Arm = name }, 0, cancellationToken);

    // Replicas reacting to the same registry version share the key, so the log gets one entry per change.
    private static string ArmKey(string name, long version) => string.Concat(name, "@v", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
