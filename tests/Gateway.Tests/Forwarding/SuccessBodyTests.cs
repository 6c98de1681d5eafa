using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Router.Gateway.Forwarding;

namespace Gateway.Tests.Forwarding;

public sealed class SuccessBodyTests
{
    [Theory]
    [InlineData("""{"error":{"message":"boom","type":"server_error"}}""", "boom")]
    [InlineData("""  {"error":"quota gone"}""", "quota gone")]
    [InlineData("""{"object":"error","message":"overloaded","type":"BadRequestError","code":400}""", "overloaded")]
    [InlineData("""{"id":"x","object":"chat.completion","error":{"message":"late member"}}""", "late member")]
    public void Problem_ErrorObjectAtTopLevel_NamesItsMessage(string body, string message)
    {
        var problem = SuccessBody.JsonProblem(Encoding.UTF8.GetBytes(body), complete: true, secret: null);

        Assert.NotNull(problem);
        Assert.StartsWith("answered 200 with an error in the body: ", problem, StringComparison.Ordinal);
        Assert.EndsWith(message, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","choices":[{"message":{"content":"{\"error\":1}"}}],"usage":{"prompt_tokens":1}}""")]
    [InlineData("""{"id":"x","error":null,"choices":[]}""")] // some servers send a null error member on success
    [InlineData("""{"object":"list","data":[{"object":"embedding","embedding":[0.1]}]}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"choices":[{"message":{"content":"an error inside the answer: {\"object\":\"error\"}"}}]}""")]
    public void Problem_Success_IsNull(string body) =>
        Assert.Null(SuccessBody.JsonProblem(Encoding.UTF8.GetBytes(body), complete: true, secret: null));

    [Fact]
    public void Problem_PrefixEndingInsideTheAnswer_IsNullAndAnErrorBeforeTheCutIsFound()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"message":{"content":"long answer""");
        Assert.Null(SuccessBody.JsonProblem(body, complete: false, secret: null));

        var error = Encoding.UTF8.GetBytes("""{"error":{"message":"cut here""");
        Assert.NotNull(SuccessBody.JsonProblem(error, complete: false, secret: null));
    }

    [Theory]
    [InlineData("<html>bad gateway</html>", "not JSON")]
    [InlineData("{\"id\":", "not JSON")]
    [InlineData("", "empty body")]
    [InlineData("   ", "empty body")]
    public void Problem_WholeBodyNotJson_Refused(string body, string expected)
    {
        var problem = SuccessBody.JsonProblem(Encoding.UTF8.GetBytes(body), complete: true, secret: null);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_LeadingUtf8ByteOrderMark_IsIgnored()
    {
        // RFC 8259 §8.1 lets a JSON parser ignore a BOM (Python's json.loads and the browsers' fetch do); the SSE spec
        // says one leading BOM must be ignored. A .NET upstream writing through new StreamWriter(stream, Encoding.UTF8)
        // sends one.
        byte[] json = [0xEF, 0xBB, 0xBF, .. "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[]}"u8];
        byte[] error = [0xEF, 0xBB, 0xBF, .. "{\"error\":{\"message\":\"overloaded\"}}"u8];
        byte[] stream = [0xEF, 0xBB, 0xBF, .. "data: {\"id\":\"c1\",\"choices\":[]}\n\n"u8];
        byte[] streamError = [0xEF, 0xBB, 0xBF, .. "data: {\"error\":{\"message\":\"overloaded\"}}\n\n"u8];

        Assert.Null(SuccessBody.JsonProblem(json, complete: true, secret: null));
        Assert.EndsWith("overloaded", SuccessBody.JsonProblem(error, complete: true, secret: null), StringComparison.Ordinal);
        Assert.Null(SuccessBody.StreamProblem(stream, complete: true, secret: null));
        Assert.EndsWith("overloaded", SuccessBody.StreamProblem(streamError, complete: true, secret: null), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_CredentialEchoed_Redacted()
    {
        var body = Encoding.UTF8.GetBytes("""{"error":{"message":"key my-upstream-secret-value is over quota"}}""");

        var problem = SuccessBody.JsonProblem(body, complete: true, secret: "my-upstream-secret-value");

        Assert.NotNull(problem);
        Assert.DoesNotContain("my-upstream-secret-value", problem, StringComparison.Ordinal);
        Assert.Contains("key *** is over quota", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(SuccessBody.PeekBytes)]
    [InlineData(SuccessBody.PeekBytes + 1)]
    [InlineData(100_000)]
    public async Task PeekAsync_ThenReadingTheContent_YieldsTheWholeBodyWithItsHeaders(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        response.Content.Headers.ContentLength = length;

        var (prefix, complete) = await SuccessBody.PeekAsync(response, eventStream: false, Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None);

        Assert.Equal(Math.Min(length, SuccessBody.PeekBytes), prefix.Length);
        Assert.Equal(length < SuccessBody.PeekBytes, complete);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(length, response.Content.Headers.ContentLength);
        using var copy = new MemoryStream();
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Theory]
    [InlineData("data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n", "overloaded")]
    [InlineData(": keep-alive\n\ndata: {\"object\":\"error\",\"message\":\"vllm says no\"}\r\n\r\n", "vllm says no")]
    [InlineData("event: error\ndata: {\"type\":\"error\",\"message\":\"named error event\"}\n\n", "named error event")]
    public void StreamProblem_FirstEventIsAnError_NamesItsMessage(string stream, string message)
    {
        var problem = SuccessBody.StreamProblem(Encoding.UTF8.GetBytes(stream), complete: false, secret: null);

        Assert.NotNull(problem);
        Assert.StartsWith("answered 200 with an error event first in the stream: ", problem, StringComparison.Ordinal);
        Assert.EndsWith(message, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n", false)]
    [InlineData(": ping\n\n: ping\n\ndata: {\"id\":\"c1\",\"choices\":[]}\n\ndata: {\"error\":{\"message\":\"later\"}}\n\n", true)] // only the first data event is judged
    [InlineData("data: [DONE]\n\n", true)]
    [InlineData("data: {\"id\":\"c1\",\"choi", false)] // first event not complete yet
    [InlineData(": ping\n\n", false)]
    public void StreamProblem_Success_IsNull(string stream, bool complete) =>
        Assert.Null(SuccessBody.StreamProblem(Encoding.UTF8.GetBytes(stream), complete, secret: null));

    [Theory]
    [InlineData("")]
    [InlineData(": ping\n\n")]
    public void StreamProblem_StreamEndsBeforeAnyEvent_Refused(string stream)
    {
        var problem = SuccessBody.StreamProblem(Encoding.UTF8.GetBytes(stream), complete: true, secret: null);

        Assert.NotNull(problem);
        Assert.Contains("ended before its first event", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeekAsync_EventStream_ReturnsAfterTheFirstDataEventWithoutWaitingForMore()
    {
        // The upstream sends a keep-alive and the first chunk, then holds the stream open: the peek must not wait for
        // 8 KB (the client would see nothing until the answer is long), only for the first event with data.
        var first = Encoding.UTF8.GetBytes(": ping\n\ndata: {\"id\":\"c1\",\"choices\":[]}\n\n");
        var rest = Encoding.UTF8.GetBytes("data: [DONE]\n\n");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new HeldStream(first, rest, release.Task)) };

        var (prefix, complete) = await SuccessBody.PeekAsync(response, eventStream: true, Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(complete);
        Assert.Equal(first, prefix.ToArray());
        release.SetResult();
        using var copy = new MemoryStream();
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(copy);
        Assert.Equal([.. first, .. rest], copy.ToArray());
    }

    [Fact]
    public async Task PeekAsync_EventStreamWithOnlyKeepAlivesPastThePatience_PassesThemOnAndTheReadInProgressYieldsTheRest()
    {
        // A model that thinks long behind a server sending SSE comments: the forwarder's idle timeout restarts only when
        // bytes are copied, so after the patience the keep-alive goes on and the read in progress is handed over.
        var keepAlive = Encoding.UTF8.GetBytes(": ping\n\n");
        var rest = Encoding.UTF8.GetBytes("data: {\"id\":\"c1\",\"choices\":[]}\n\ndata: [DONE]\n\n");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var time = new FakeTimeProvider();
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new HeldStream(keepAlive, rest, release.Task)) };

        var peek = SuccessBody.PeekAsync(response, eventStream: true, TimeSpan.FromSeconds(30), time, CancellationToken.None);
        for (var i = 0; i < 100 && !peek.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        var (prefix, complete) = await peek.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(complete);
        Assert.Equal(keepAlive, prefix.ToArray());
        Assert.Null(SuccessBody.StreamProblem(prefix.Span, complete, secret: null));
        release.SetResult();
        using var copy = new MemoryStream();
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(copy);
        Assert.Equal([.. keepAlive, .. rest], copy.ToArray());
    }

    /// <summary>Yields <c>first</c> (a byte at a time: the peek must assemble it), then waits for <c>release</c>, then yields <c>rest</c>.</summary>
    private sealed class HeldStream(byte[] first, byte[] rest, Task release) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < first.Length)
            {
                buffer.Span[0] = first[_position++];
                return 1;
            }

            await release.WaitAsync(cancellationToken);
            var offset = _position - first.Length;
            var n = Math.Min(buffer.Length, rest.Length - offset);
            rest.AsSpan(offset, n).CopyTo(buffer.Span);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
