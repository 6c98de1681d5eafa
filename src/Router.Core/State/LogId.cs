using System.Globalization;

namespace Router.Core.State;

/// <summary>
/// Position of an entry in the learning event log, in Redis Stream id form <c>&lt;milliseconds&gt;-&lt;sequence&gt;</c>.
/// Both log implementations issue ids in this form so that snapshots, trimming and lag read the same everywhere.
/// <see cref="Zero"/> (<c>0-0</c>) sorts before every real entry: "nothing applied yet".
/// </summary>
public readonly record struct LogId(ulong Milliseconds, ulong Sequence) : IComparable<LogId>
{
    /// <summary>The position before the first entry.</summary>
    public static LogId Zero => default;

    /// <summary>The smallest id strictly after this one.</summary>
    public LogId Next => Sequence == ulong.MaxValue ? new(Milliseconds + 1, 0) : new(Milliseconds, Sequence + 1);

    /// <summary>The append time the id encodes (Redis: the server clock; in-process: the injected TimeProvider).</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(Milliseconds, MaxUnixMilliseconds));

    // DateTimeOffset.MaxValue in Unix milliseconds: a larger id (a hand-made one) still has a timestamp.
    private const ulong MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>Parses <c>ms-seq</c>; throws <see cref="FormatException"/> on anything else.</summary>
    public static LogId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a log id of the form <ms>-<seq>.");

    /// <summary>Parses <c>ms-seq</c> (a bare <c>ms</c> reads as <c>ms-0</c>).</summary>
    public static bool TryParse(string? text, out LogId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var msPart = dash < 0 ? text.AsSpan() : text.AsSpan(0, dash);
        var seqPart = dash < 0 ? "0".AsSpan() : text.AsSpan(dash + 1);
        if (!ulong.TryParse(msPart, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(seqPart, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        id = new LogId(ms, seq);
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(LogId other)
    {
        var c = Milliseconds.CompareTo(other.Milliseconds);
        return c != 0 ? c : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>The later of two ids.</summary>
    public static LogId Max(LogId a, LogId b) => a.CompareTo(b) >= 0 ? a : b;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");

    /// <summary>Order by position.</summary>
    public static bool operator <(LogId left, LogId right) => left.CompareTo(right) < 0;

    /// <summary>Order by position.</summary>
    public static bool operator >(LogId left, LogId right) => left.CompareTo(right) > 0;

    /// <summary>Order by position.</summary>
    public static bool operator <=(LogId left, LogId right) => left.CompareTo(right) <= 0;

    /// <summary>Order by position.</summary>
    public static bool operator >=(LogId left, LogId right) => left.CompareTo(right) >= 0;
}
