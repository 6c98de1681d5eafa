namespace Router.Core.State;

/// <summary>
/// One learning event as the log stores it. The state layer never looks inside <see cref="Payload"/>: the engine
/// owns the event types and their serialisation; <see cref="Kind"/> tells it which type to read.
/// </summary>
/// <param name="Id">Position in the log; entries are applied in increasing id order on every replica.</param>
/// <param name="Kind">The event type name (e.g. <c>decision</c>, <c>feedback</c>, <c>usage</c>).</param>
/// <param name="IdempotencyKey">The key the append was deduplicated by (see <see cref="IdempotencyKeys"/>).</param>
/// <param name="Payload">The engine's serialised event.</param>
public sealed record LogEntry(LogId Id, string Kind, string IdempotencyKey, ReadOnlyMemory<byte> Payload);
