using Router.Core.Embedding;

namespace Router.Core.Tests.Embedding;

public sealed class CachedTextEncoderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "router-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Encode_SecondRunAfterReopen_ServesFromDiskWithSameVectors()
    {
        var inner = new CountingEncoder();
        float[] first = new float[3 * inner.Dimension];
        using (var cache = new CachedTextEncoder(inner, _dir, ownsInner: false))
        {
            cache.Encode(["a", "bb", "a"], first, CancellationToken.None);
            Assert.Equal(2, cache.Count);
        }

        var calls = inner.Texts;
        var second = new float[3 * inner.Dimension];
        using (var cache = new CachedTextEncoder(inner, _dir, ownsInner: false))
        {
            cache.Encode(["a", "bb", "a"], second, CancellationToken.None);
            Assert.Equal(3, cache.Hits);
            Assert.Equal(0, cache.Misses);
        }

        Assert.Equal(calls, inner.Texts);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Open_TornLastRecord_IsDroppedAndAppendsStayReadable()
    {
        var inner = new CountingEncoder();
        string path;
        using (var cache = new CachedTextEncoder(inner, _dir, ownsInner: false))
        {
            cache.Encode(["x", "y"], new float[2 * inner.Dimension], CancellationToken.None);
            path = cache.FilePath;
        }

        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        using (var cache = new CachedTextEncoder(inner, _dir, ownsInner: false))
        {
            Assert.Equal(1, cache.Count);
            cache.Encode(["z"], new float[inner.Dimension], CancellationToken.None);
        }

        using var reopened = new CachedTextEncoder(inner, _dir, ownsInner: false);
        Assert.Equal(2, reopened.Count);
    }

    [Fact]
    public void EncodeAll_UnsortedTexts_ReturnsRowsInInputOrderWithProgress()
    {
        var inner = new CountingEncoder();
        string[] texts = ["ccc", "a", "bb", "dddd", "e"];
        var reports = new List<int>();
        var rows = EmbeddingBatch.EncodeAll(inner, texts, batchSize: 2, progress: (done, total) => reports.Add(done));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(texts[i].Length, rows[i * inner.Dimension]);
        }

        Assert.Equal([2, 4, 5], reports);
    }

    /// <summary>A deterministic stand-in: row = [length, first char, 1, 0...].</summary>
    private sealed class CountingEncoder : ITextEncoder
    {
        public int Texts { get; private set; }

        public string ModelId => "counting-v1";

        public int Dimension => 4;

        public void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                Texts++;
                destination[i * 4] = texts[i].Length;
                destination[(i * 4) + 1] = texts[i].Length > 0 ? texts[i][0] : 0;
                destination[(i * 4) + 2] = 1;
                destination[(i * 4) + 3] = 0;
            }
        }

        public void Dispose()
        {
        }
    }
}
