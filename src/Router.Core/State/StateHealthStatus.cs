namespace Router.Core.State;

/// <summary>Readiness of the state layer, for <c>/health/ready</c>.</summary>
public enum StateHealthStatus
{
    /// <summary>Shared store reachable, nothing buffered, learned state caught up.</summary>
    Healthy,

    /// <summary>Serving with the last known state; learning events buffered locally (Redis unreachable).</summary>
    Degraded,

    /// <summary>Still replaying the log at start-up: routing would use stale state.</summary>
    Starting,
}
