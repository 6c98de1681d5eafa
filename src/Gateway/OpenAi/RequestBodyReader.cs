using System.Buffers;

namespace Router.Gateway.OpenAi;

/// <summary>Reads a request body into memory, refusing bodies over the configured limit with 413.</summary>
internal static class RequestBodyReader
{
    public static async Task<(byte[]? Body, OpenAiError? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, OpenAiError.BodyTooLarge(limit));
        }

        var writer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(4096);
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                if (writer.WrittenCount > limit)
                {
                    return (null, OpenAiError.BodyTooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own limits (e.g. its MaxRequestBodySize) or a malformed chunked body.
            return (null, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? OpenAiError.BodyTooLarge(limit)
                : OpenAiError.InvalidRequest("The request body could not be read: " + ex.Message));
        }

        return (writer.WrittenSpan.ToArray(), null);
    }
}
