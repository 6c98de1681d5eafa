using System.Text.RegularExpressions;

namespace Router.Core.Verification;

/// <summary>
/// The comparable form of an answer, for agreement between two answers (FrugalGPT-style cascades; Yue et al., ICLR
/// 2024, answer consistency): a short answer (a letter, a word, a number) trimmed of white space, quotes and a final
/// period, upper-cased; for a longer answer the last number in it (GSM8K's "The answer is 18."); else null (prose and
/// code never agree).
/// </summary>
public static partial class AnswerForm
{
    /// <summary>Longest answer compared as a whole.</summary>
    public const int MaxShortLength = 32;

    /// <summary>The short form of <paramref name="response"/>, or null when empty or longer than <see cref="MaxShortLength"/>.</summary>
    public static string? Short(string? response)
    {
        if (response is null)
        {
            return null;
        }

        var t = response.Trim().Trim('.', '"', '\'', '`').Trim().ToUpperInvariant();
        return t.Length is > 0 and <= MaxShortLength ? t : null;
    }

    /// <summary><see cref="Short"/>, else the last number of the text (commas dropped), else null.</summary>
    public static string? Final(string? response)
    {
        if (Short(response) is { } s)
        {
            return s;
        }

        if (response is null)
        {
            return null;
        }

        var numbers = NumberPattern().Matches(response);
        return numbers.Count == 0 ? null : numbers[^1].Value.Replace(",", "", StringComparison.Ordinal).TrimEnd('.');
    }

    /// <summary>True when the text holds a fenced or indented code block (code answers: MBPP, HumanEval).</summary>
    public static bool HasCode(string? response) =>
        response is not null && (response.Contains("```", StringComparison.Ordinal) || response.Contains("def ", StringComparison.Ordinal) || response.Contains("\n    ", StringComparison.Ordinal));

    [GeneratedRegex(@"-?\d[\d,]*(\.\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
