using System.Text;
using System.Text.Unicode;

namespace Router.Gateway.OpenAi;

/// <summary>
/// What the gateway does to an upstream's JSON bytes before it reads them itself (usage, error messages, the 2xx
/// check); the client always gets the bytes as sent. Shared so that the readers agree on what they accept.
/// </summary>
internal static class LenientJsonBytes
{
    /// <summary>
    /// Without a leading UTF-8 byte-order mark: JSON parsers may ignore one (RFC 8259 §8.1; Python's json.loads and
    /// fetch's json() do) and SSE parsers must, but System.Text.Json's span reader refuses it.
    /// </summary>
    public static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> json) =>
        json.StartsWith("\uFEFF"u8) ? json[3..] : json;

    /// <summary>
    /// Ready for <see cref="System.Text.Json.Utf8JsonReader"/>: no byte-order mark, and invalid UTF-8 replaced by
    /// U+FFFD (in a copy, only when there is some). The reader accepts invalid bytes inside strings, but reading such a
    /// string (GetString) then throws InvalidOperationException: a 500 or a cut response instead of the answer.
    /// </summary>
    public static ReadOnlySpan<byte> ForReading(ReadOnlySpan<byte> json)
    {
        json = WithoutByteOrderMark(json);
        return Utf8.IsValid(json) ? json : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json));
    }
}
