namespace Router.Core.State;

/// <summary>
/// The shared store could not be reached (connection down, timeout, server loading). Transient: callers keep
/// serving with what they have (<see cref="BufferedLearningEventLog"/> buffers appends; the admin API answers 503).
/// </summary>
public sealed class StateStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateStoreUnavailableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public StateStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StateStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
