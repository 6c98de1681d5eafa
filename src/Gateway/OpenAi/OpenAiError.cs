using System.Text.Json;

namespace Router.Gateway.OpenAi;

/// <summary>
/// An error in the envelope OpenAI clients parse: <c>{"error":{"message","type","param","code"}}</c>, with its HTTP
/// status. Messages never carry secrets or stack traces.
/// </summary>
/// <param name="Status">HTTP status code.</param>
/// <param name="Message">Human-readable message.</param>
/// <param name="Type">OpenAI error type, e.g. <c>invalid_request_error</c>.</param>
/// <param name="Param">The offending request field, when one is to blame.</param>
/// <param name="Code">Machine-readable code, e.g. <c>model_not_found</c>.</param>
public sealed record OpenAiError(int Status, string Message, string Type, string? Param = null, string? Code = null)
{
    /// <summary>400 <c>invalid_request_error</c>.</summary>
    public static OpenAiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code);

    /// <summary>404 <c>model_not_found</c>.</summary>
    public static OpenAiError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, $"The model '{Quote(model)}' does not exist. GET /v1/models lists the arms and 'auto'.", "invalid_request_error", "model", "model_not_found");

    /// <summary>413: the body is over the configured limit.</summary>
    public static OpenAiError BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than the gateway's limit of {limit} bytes.", "invalid_request_error", null, "request_too_large");

    /// <summary>503: no enabled arm can serve the request.</summary>
    public static OpenAiError NoArmAvailable(string message) =>
        new(StatusCodes.Status503ServiceUnavailable, message, "service_unavailable", "model", "no_arm_available");

    /// <summary>504: the upstream did not answer in time.</summary>
    public static OpenAiError UpstreamTimeout(string arm) =>
        new(StatusCodes.Status504GatewayTimeout, $"The upstream of arm '{arm}' did not answer in time.", "upstream_error", null, "upstream_timeout");

    /// <summary>502: the upstream could not be reached or broke the protocol.</summary>
    public static OpenAiError UpstreamUnavailable(string arm) =>
        new(StatusCodes.Status502BadGateway, $"The upstream of arm '{arm}' could not be reached.", "upstream_error", null, "upstream_unavailable");

    /// <summary>500 without details (the details go to the log).</summary>
    public static OpenAiError Internal(string requestId) =>
        new(StatusCodes.Status500InternalServerError, $"The gateway failed to process the request (request id {requestId}).", "server_error", null, "internal_error");

    /// <summary>A generic error for a bare status (405, unknown /v1 path ...).</summary>
    public static OpenAiError ForStatus(int status) => status switch
    {
        StatusCodes.Status404NotFound => new(status, "Unknown endpoint. The gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, /v1/responses, /v1/messages and /v1/feedback.", "invalid_request_error", null, "unknown_url"),
        StatusCodes.Status405MethodNotAllowed => new(status, "Method not allowed for this endpoint.", "invalid_request_error", null, "method_not_allowed"),
        StatusCodes.Status413PayloadTooLarge => new(status, "The request body is too large.", "invalid_request_error", null, "request_too_large"),
        StatusCodes.Status415UnsupportedMediaType => new(status, "The request body must be JSON (Content-Type: application/json).", "invalid_request_error", null, "unsupported_media_type"),
        < 500 => new(status, "The request could not be processed.", "invalid_request_error"),
        _ => new(status, "The gateway failed to process the request.", "server_error"),
    };

    /// <summary>A client-supplied value for a message, cut to 64 characters (errors must not echo megabytes).</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= 64 ? value : value[..64] + "…";
    }

    /// <summary>Writes this error as the response (status, JSON envelope). The response must not have started.</summary>
    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = Status;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", Message);
            writer.WriteString("type", Type);
            WriteNullable(writer, "param", Param);
            WriteNullable(writer, "code", Code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
