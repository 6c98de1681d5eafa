using System.Globalization;
using System.Text;

namespace Router.Training.Data;

/// <summary>
/// Unwraps the Python-list-literal strings of the published RouterBench frame (<c>"['text']"</c>, written by
/// pandas from Python lists): the first string element is returned with its escapes decoded. Text that is not
/// such a literal is returned unchanged, so plain columns pass through.
/// </summary>
public static class PythonLiteral
{
    /// <summary>
    /// Returns the first element of a Python list literal of strings, or <paramref name="text"/> itself when it is
    /// not one. Several elements (multi-turn prompts) are joined with a blank line.
    /// </summary>
    public static string UnwrapList(string text)
    {
        var s = text.AsSpan().Trim();
        if (s.Length < 4 || s[0] != '[' || s[^1] != ']')
        {
            return text;
        }

        var parts = new List<string>();
        var i = 1;
        while (true)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == ','))
            {
                i++;
            }

            if (i >= s.Length - 1)
            {
                break;
            }

            if (s[i] != '\'' && s[i] != '"')
            {
                return text;
            }

            if (!TryReadString(s, ref i, out var value))
            {
                return text;
            }

            parts.Add(value);
        }

        return parts.Count == 0 ? text : string.Join("\n\n", parts);
    }

    private static bool TryReadString(ReadOnlySpan<char> s, ref int i, out string value)
    {
        var quote = s[i++];
        var sb = new StringBuilder();
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == quote)
            {
                value = sb.ToString();
                return true;
            }

            if (c != '\\' || i >= s.Length)
            {
                sb.Append(c);
                continue;
            }

            var e = s[i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'x' when i + 2 <= s.Length && TryHex(s.Slice(i, 2), out var x):
                    sb.Append((char)x);
                    i += 2;
                    break;
                case 'u' when i + 4 <= s.Length && TryHex(s.Slice(i, 4), out var u):
                    sb.Append((char)u);
                    i += 4;
                    break;
                case 'U' when i + 8 <= s.Length && TryHex(s.Slice(i, 8), out var big):
                    sb.Append(char.ConvertFromUtf32(big));
                    i += 8;
                    break;
                default:
                    // Python keeps unknown escapes verbatim.
                    sb.Append('\\').Append(e);
                    break;
            }
        }

        value = "";
        return false;
    }

    private static bool TryHex(ReadOnlySpan<char> digits, out int value) =>
        int.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
}
