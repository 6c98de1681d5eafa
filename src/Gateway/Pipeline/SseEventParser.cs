using System.Text;

namespace Router.Gateway.Pipeline;

/// <summary>
/// Incremental SSE framing (WHATWG HTML §9.2.6): bytes in any chunking; lines end in LF or CRLF; <c>data:</c> lines
/// of one event are joined with LF; a blank line ends the event. Used by the stream translators on both edges. Not
/// thread-safe.
/// </summary>
public sealed class SseEventParser
{
    private readonly StringBuilder _line = new();
    private readonly List<string> _data = [];
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

    /// <summary>Feeds <paramref name="bytes"/>; calls <paramref name="onEvent"/> with each completed event's data.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, Action<string> onEvent)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        var chars = new char[_decoder.GetCharCount(bytes, flush: false)];
        _decoder.GetChars(bytes, chars, flush: false);
        foreach (var c in chars)
        {
            if (c != '\n')
            {
                _line.Append(c);
                continue;
            }

            var line = _line.ToString().TrimEnd('\r');
            _line.Clear();
            if (line.Length == 0)
            {
                if (_data.Count > 0)
                {
                    onEvent(string.Join('\n', _data));
                    _data.Clear();
                }
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                _data.Add(line[5..].TrimStart(' '));
            }
        }
    }

    /// <summary>Delivers an event the stream ended without its blank line.</summary>
    public void End(Action<string> onEvent)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        Feed("\n\n"u8, onEvent);
    }
}
