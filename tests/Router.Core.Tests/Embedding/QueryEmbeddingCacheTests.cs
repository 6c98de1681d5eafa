using Router.Core.Embedding;

namespace Router.Core.Tests.Embedding;

public sealed class QueryEmbeddingCacheTests
{
    [Fact]
    public async Task EncodeAsync_RepeatedText_SecondIsAHitWithTheSameEmbedding()
    {
        var inner = new CountingEncoder();
        var cache = new QueryEmbeddingCache(inner, capacity: 100);
        var first = new float[inner.Dimension];
        var second = new float[inner.Dimension];

        await cache.EncodeAsync("What is the capital of France?", first, CancellationToken.None);
        await cache.EncodeAsync("What is the capital of France?", second, CancellationToken.None);

        Assert.Equal(1, inner.Calls);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task EncodeAsync_MoreDistinctTextsThanCapacity_OldestAreEvictedAndReEncoded()
    {
        var inner = new CountingEncoder();
        var cache = new QueryEmbeddingCache(inner, capacity: 4);
        var row = new float[inner.Dimension];
        foreach (var text in new[] { "a", "b", "c", "d", "e", "f" })
        {
            await cache.EncodeAsync(text, row, CancellationToken.None);
        }

        // Generations of Capacity / 2 = 2: every second text fills the young generation, which then becomes the old
        // one; after six texts the old holds e, f and the rest are gone.
        await cache.EncodeAsync("f", row, CancellationToken.None);
        Assert.Equal(6, inner.Calls);
        await cache.EncodeAsync("c", row, CancellationToken.None);
        Assert.Equal(7, inner.Calls);
        Assert.Equal(CountingEncoder.Row("c"), row);
    }

    [Fact]
    public async Task EncodeAsync_LongPrompt_KeyedByHashNotByPrefix()
    {
        var inner = new CountingEncoder();
        var cache = new QueryEmbeddingCache(inner, capacity: 100);
        var prefix = new string('x', 5000);
        var row = new float[inner.Dimension];
        await cache.EncodeAsync(prefix + "1", row, CancellationToken.None);
        await cache.EncodeAsync(prefix + "2", row, CancellationToken.None);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(CountingEncoder.Row(prefix + "2"), row);
    }

    /// <summary>A deterministic stand-in: the embedding of a text is its length and first/last characters.</summary>
    private sealed class CountingEncoder : IQueryEncoder
    {
        public int Calls { get; private set; }

        public string ModelId => "counting";

        public int Dimension => 3;

        public static float[] Row(string text) => [text.Length, text[0], text[^1]];

        public ValueTask EncodeAsync(string text, Memory<float> destination, CancellationToken cancellationToken)
        {
            Calls++;
            Row(text).CopyTo(destination.Span);
            return ValueTask.CompletedTask;
        }
    }
}
