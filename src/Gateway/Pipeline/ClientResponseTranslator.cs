using System.Text;

namespace Router.Gateway.Pipeline;

/// <summary>
/// The client edge of a non-OpenAI surface: a write-only stream put in front of the response body that receives the
/// pipeline's OpenAI-form answer and writes the client's protocol. A JSON answer (success or error envelope) is held
/// whole and translated at <see cref="FinishAsync"/>; an SSE answer is translated event by event as it passes (so a
/// stream stays a stream). Content-Length is dropped (the translation changes the length). One instance per request;
/// not thread-safe.
/// </summary>
public abstract class ClientResponseTranslator : Stream
{
    private readonly MemoryStream _held = new();
    private readonly SseEventParser _events = new();
    private Stream? _inner;
    private HttpResponse? _response;
    private bool? _eventStream;
    private bool _finished;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The response written to.</summary>
    protected HttpResponse Response => _response ?? throw new InvalidOperationException("Not wrapped yet.");

    /// <summary>Puts the translator in front of <paramref name="response"/>'s body; returns the stream to write to.</summary>
    public Stream Wrap(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        _response = response;
        _inner = response.Body;
        return this;
    }

    /// <summary>Translates what is held (a JSON answer) or closes the stream translation; idempotent.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_finished || _response is null)
        {
            return;
        }

        _finished = true;
        if (_eventStream == true)
        {
            var tail = new StringBuilder();
            _events.End(data => TranslateEvent(data, tail));
            EndOfStream(tail);
            await CompletedAsync(cancellationToken);
            await WriteTextAsync(tail, cancellationToken);
            return;
        }

        if (_held.Length == 0 && _eventStream is null)
        {
            return; // nothing was written (e.g. a bodyless status)
        }

        var translated = TranslateJson(Response.StatusCode, _held.GetBuffer().AsMemory(0, (int)_held.Length));
        await CompletedAsync(cancellationToken);
        Response.ContentLength = translated.Length;
        await _inner!.WriteAsync(translated, cancellationToken);
    }

    /// <summary>The client's form of a whole OpenAI JSON answer with <paramref name="status"/> (2xx: a result; else an error envelope).</summary>
    protected abstract byte[] TranslateJson(int status, ReadOnlyMemory<byte> body);

    /// <summary>Appends the client's SSE text for one OpenAI event's <c>data</c> (<c>[DONE]</c> included).</summary>
    protected abstract void TranslateEvent(string data, StringBuilder output);

    /// <summary>Appends what the client's stream needs after the last event (e.g. a closing event); called once.</summary>
    protected abstract void EndOfStream(StringBuilder output);

    /// <summary>
    /// Runs once the whole answer is translated and before its last bytes go out (e.g. to store it, so that a client
    /// that reads the end and asks again at once finds it); the default does nothing.
    /// </summary>
    protected virtual Task CompletedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _eventStream ??= Response.StatusCode is >= 200 and < 300 &&
            (Response.ContentType ?? "").StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (_eventStream == false)
        {
            _held.Write(buffer.Span);
            return;
        }

        if (!Response.HasStarted)
        {
            Response.ContentLength = null; // headers are read-only once the first translated event went out
        }

        var output = new StringBuilder();
        _events.Feed(buffer.Span, data => TranslateEvent(data, output));
        await WriteTextAsync(output, cancellationToken);
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _eventStream == true && _inner is not null ? _inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _held.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task WriteTextAsync(StringBuilder text, CancellationToken cancellationToken)
    {
        if (text.Length > 0)
        {
            await _inner!.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        }
    }
}
