namespace Router.Core.State;

/// <summary>What happened to an append.</summary>
public enum AppendStatus
{
    /// <summary>Written to the log (in Redis: accepted by the server, and with AOF on, written to the AOF).</summary>
    Appended,

    /// <summary>An entry with the same idempotency key exists; <see cref="AppendResult.Id"/> is the original's id.</summary>
    Duplicate,

    /// <summary>
    /// The shared log was unreachable; the event is in the local on-disk buffer (fsynced) and is flushed in order
    /// when the log returns. Durable on this machine's disk only until then.
    /// </summary>
    Buffered,

    /// <summary>Not stored (the shared log is unreachable and the local buffer is full). Answer 503.</summary>
    Rejected,
}
