using Router.Core.Embedding;

namespace Router.Core.Tests.Embedding;

public sealed class MicroBatchingQueryEncoderTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private static readonly string[] Queries =
    [
        "How do I reset my password?",
        "What is the derivative of x squared times sin x with respect to x, using the product rule?",
        "Paris",
        "Write a Python function that returns the n-th Fibonacci number in O(log n) time.",
        "Which of the following are traits that are affected by more than one gene? A. Heterozygous B. Pleiotropic C. Polygenic D. Blended",
        "Translate 'good morning' into German.",
        "Summarise the causes of the French revolution in three bullet points, citing the fiscal crisis, the Estates-General and bread prices.",
        "2+2?",
    ];

    [Fact]
    public async Task EncodeAsync_QueriesQueuedWhileARunIsBusy_OneRunForAllAndEqualToSingleRuns()
    {
        using var gated = new GatedEncoder(fixture.Encoder);
        using var batching = new MicroBatchingQueryEncoder(gated, maxBatchSize: 16);
        var d = batching.Dimension;
        var results = Queries.Select(_ => new float[d]).ToArray();

        // The first query occupies the worker inside the encoder; the others queue meanwhile (EncodeAsync enqueues
        // before it returns), so when the gate opens they all go into the second run.
        var first = batching.EncodeAsync(Queries[0], results[0], CancellationToken.None);
        Assert.True(gated.Entered.Wait(TimeSpan.FromMinutes(2)));
        var rest = Enumerable.Range(1, Queries.Length - 1).Select(i => batching.EncodeAsync(Queries[i], results[i], CancellationToken.None).AsTask()).ToArray();
        gated.Gate.Set();
        await first;
        await Task.WhenAll(rest);

        Assert.Equal(2, batching.Runs);
        Assert.Equal(Queries.Length, batching.Queries);
        Assert.Equal([1, Queries.Length - 1], gated.BatchSizes);
        var single = new float[d];
        for (var i = 0; i < Queries.Length; i++)
        {
            fixture.Encoder.Encode([Queries[i]], single, CancellationToken.None);
            for (var k = 0; k < d; k++)
            {
                Assert.True(Math.Abs(single[k] - results[i][k]) <= 1e-5f, $"query {i}, dim {k}: single {single[k]} vs batched {results[i][k]}");
            }
        }
    }

    [Fact]
    public async Task EncodeAsync_CallerCancelsWhileQueued_ThatQueryFailsAndIsNotEncoded()
    {
        using var gated = new GatedEncoder(fixture.Encoder);
        using var batching = new MicroBatchingQueryEncoder(gated);
        var d = batching.Dimension;
        var first = batching.EncodeAsync(Queries[0], new float[d], CancellationToken.None);
        Assert.True(gated.Entered.Wait(TimeSpan.FromMinutes(2)));
        using var cancel = new CancellationTokenSource();
        var abandoned = batching.EncodeAsync(Queries[1], new float[d], cancel.Token).AsTask();
        var kept = batching.EncodeAsync(Queries[2], new float[d], CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        gated.Gate.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await first;
        await kept;
        Assert.Equal(2, batching.Queries);
    }

    [Fact]
    public void Constructor_WindowOrBatchOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MicroBatchingQueryEncoder(fixture.Encoder, maxBatchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MicroBatchingQueryEncoder(fixture.Encoder, batchWindow: TimeSpan.FromSeconds(1)));
    }

    /// <summary>The real encoder behind a gate: its first call signals <see cref="Entered"/> and waits for <see cref="Gate"/>.</summary>
    private sealed class GatedEncoder(ITextEncoder inner) : ITextEncoder
    {
        private int _calls;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Gate { get; } = new();

        public List<int> BatchSizes { get; } = [];

        public string ModelId => inner.ModelId;

        public int Dimension => inner.Dimension;

        public void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken)
        {
            lock (BatchSizes)
            {
                BatchSizes.Add(texts.Count);
            }

            if (Interlocked.Increment(ref _calls) == 1)
            {
                Entered.Set();
                Gate.Wait(cancellationToken);
            }

            inner.Encode(texts, destination, cancellationToken);
        }

        public void Dispose()
        {
            Entered.Dispose();
            Gate.Dispose();
        }
    }
}
