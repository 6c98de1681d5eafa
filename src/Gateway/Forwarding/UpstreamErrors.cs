using System.Text.Json;
using System.Text.RegularExpressions;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Forwarding;

/// <summary>Maps an upstream's error response to the error the client gets, keeping the upstream's message minus secrets.</summary>
public static partial class UpstreamErrors
{
    /// <summary>Longest upstream message passed on.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>True when another arm may succeed: overload (429) and server errors.</summary>
    public static bool IsRetryable(int status) => status == StatusCodes.Status429TooManyRequests || status >= 500;

    /// <summary>The client's error for an upstream <paramref name="status"/> with body <paramref name="body"/>.</summary>
    /// <param name="arm">The arm's name.</param>
    /// <param name="status">The upstream's HTTP status.</param>
    /// <param name="body">The upstream's error body (truncated).</param>
    /// <param name="secret">The credential sent upstream, to be scrubbed from the message if echoed.</param>
    public static OpenAiError Map(string arm, int status, ReadOnlySpan<byte> body, string? secret)
    {
        var (message, type, param, code) = Extract(body);
        message = Redact(message, secret);
        var text = $"Upstream of arm '{arm}' answered {status}: {message}";
        return status switch
        {
            // The gateway's credentials, not the client's, were refused: a gateway-side problem.
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden =>
                new(StatusCodes.Status502BadGateway, text, "upstream_error", null, "upstream_auth_failed"),
            StatusCodes.Status408RequestTimeout or StatusCodes.Status504GatewayTimeout =>
                new(StatusCodes.Status504GatewayTimeout, text, "upstream_error", null, "upstream_timeout"),
            StatusCodes.Status429TooManyRequests =>
                new(status, text, type ?? "rate_limit_error", param, code ?? "rate_limit_exceeded"),
            >= 400 and < 500 => new(status, text, type ?? "invalid_request_error", param, code),

            // Anthropic's "overloaded" (docs.anthropic.com "Errors"): the OpenAI clients' retryable 503.
            529 => new(StatusCodes.Status503ServiceUnavailable, text, "service_unavailable", null, "upstream_overloaded"),
            _ => new(StatusCodes.Status502BadGateway, text, "upstream_error", null, code ?? "upstream_error"),
        };
    }

    /// <summary>The message an upstream error body carries (OpenAI envelope, a bare string or plain text), secrets removed.</summary>
    public static string Describe(ReadOnlySpan<byte> body, string? secret) => Redact(Extract(body).Message, secret);

    /// <summary>Removes the credential and anything that looks like an API key or bearer token.</summary>
    public static string Redact(string message, string? secret)
    {
        if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
        {
            message = message.Replace(secret, "***", StringComparison.Ordinal);
        }

        return SecretPattern().Replace(message, "***");
    }

    private static (string Message, string? Type, string? Param, string? Code) Extract(ReadOnlySpan<byte> body)
    {
        body = LenientJsonBytes.ForReading(body); // else a bad byte in a message is a 500 instead of this error
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var error = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var e) ? e : doc.RootElement;
            if (error.ValueKind == JsonValueKind.String)
            {
                return (Truncate(error.GetString()!), null, null, null);
            }

            if (error.ValueKind == JsonValueKind.Object)
            {
                return (
                    Truncate(Str(error, "message") ?? "(no message)"),
                    Str(error, "type"),
                    Str(error, "param"),
                    error.TryGetProperty("code", out var c) ? c.ValueKind == JsonValueKind.String ? c.GetString() : c.ValueKind == JsonValueKind.Number ? c.GetRawText() : null : null);
            }
        }
        catch (JsonException)
        {
            // Plain text or HTML error page.
        }

        var text = System.Text.Encoding.UTF8.GetString(body).Trim();
        return (text.Length == 0 ? "(empty body)" : Truncate(text), null, null, null);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Truncate(string s) => s.Length <= MaxMessageLength ? s : s[..MaxMessageLength] + "...";

    [GeneratedRegex(@"(sk-[A-Za-z0-9_\-*]{6,}|Bearer\s+[A-Za-z0-9._\-]{8,}|api[-_]?key[=:]\s*[A-Za-z0-9._\-]{8,})", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();
}
