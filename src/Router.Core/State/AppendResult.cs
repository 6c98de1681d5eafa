namespace Router.Core.State;

/// <summary>The outcome of <see cref="ILearningEventLog.AppendAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Id">The entry's id (the original's for a duplicate); null when buffered or rejected.</param>
public readonly record struct AppendResult(AppendStatus Status, LogId? Id)
{
    /// <summary>True when the event is stored durably (log or local buffer): the caller may acknowledge (202).</summary>
    public bool IsAccepted => Status != AppendStatus.Rejected;
}
