using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Router.Gateway.OpenAi;

/// <summary>Finds the first JSON string (value or property name) that is not valid Unicode, in one reader pass.</summary>
internal static class JsonStrings
{
    /// <summary>
    /// A message naming the problem, or null when every string is valid (syntax errors are left to the parser, which
    /// reports them with positions). Unescaped strings are checked with <see cref="Utf8.IsValid"/>; escaped ones are
    /// unescaped into a pooled buffer, which rejects lone surrogates such as <c>\ud800</c>.
    /// </summary>
    public static string? FindInvalid(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                {
                    continue;
                }

                if (!reader.ValueIsEscaped && !reader.HasValueSequence)
                {
                    if (!Utf8.IsValid(reader.ValueSpan))
                    {
                        return Describe(reader);
                    }

                    continue;
                }

                var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                var buffer = ArrayPool<char>.Shared.Rent(Math.Max(16, length));
                try
                {
                    reader.CopyString(buffer);
                }
                catch (InvalidOperationException)
                {
                    return Describe(reader);
                }
                finally
                {
                    ArrayPool<char>.Shared.Return(buffer);
                }
            }
        }
        catch (JsonException)
        {
            return null; // a syntax error: the parser reports it
        }

        return null;
    }

    private static string Describe(Utf8JsonReader reader) =>
        $"The request body contains a string that is not valid UTF-8 / UTF-16 (at byte {reader.TokenStartIndex}). Send UTF-8 JSON.";
}
