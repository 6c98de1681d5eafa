using System.Numerics.Tensors;
using System.Text;
using Router.Core.Embedding;

namespace Router.Core.Tests.Embedding;

/// <summary>Odd inputs through every truncation side: each must give a finite, unit-norm embedding (or all zeros).</summary>
public sealed class EncoderEdgeInputTests(EncoderEdgeInputTests.Encoders encoders) : IClassFixture<EncoderEdgeInputTests.Encoders>
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>
        {
            { "empty", "" },
            { "whitespace", " \t\r\n \u00A0\u2003 " },
            { "emoji", "😀🚀👍🏽 👨‍👩‍👧‍👦 🇫🇷 is this a question?" },
            { "rtl", "مرحبا بالعالم، كيف حالك؟ שלום עולם \u202Eevil\u202C" },
            { "control", "\0\u0001\u0007\u001b[31mred\u001b[0m\u200b\uFEFF\u0085 text" },
            { "lone-surrogates", "a\uD800b\uDC00c \uDBFF" },
            { "combining", "e\u0301\u0301\u0301\u0301 Z̴̡̛͓̈́a̷̧̛l̸g̵o̶" },
        };
        data.Add("100k-words", string.Concat(Enumerable.Repeat("lorem ipsum dolor ", 100_000 / 18)) + "what is 2 + 2?");
        data.Add("100k-no-space", new string('x', 100_000));
        data.Add("100k-emoji", string.Concat(Enumerable.Repeat("😀", 50_000)));
        data.Add("100k-control", new string('\u0001', 100_000));
        var mixed = new StringBuilder();
        var random = new Random(3);
        while (mixed.Length < 100_000)
        {
            mixed.Append((char)random.Next(0, 0x10000));
        }

        data.Add("100k-random-utf16", mixed.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Encode_OddInput_FiniteUnitNormOnEveryTruncationSide(string name, string text)
    {
        foreach (var encoder in encoders.All)
        {
            var embedding = new float[encoder.Dimension];
            encoder.Encode([text], embedding, CancellationToken.None);

            Assert.All(embedding, v => Assert.True(float.IsFinite(v), $"{name}/{encoder.Options.Truncation}: {v}"));
            Assert.Equal(1.0, TensorPrimitives.Norm(embedding), 4);
            Assert.True(encoder.CountTokens(text) >= 0);

            // The default head keeps it finite and unit-norm too.
            var projected = new float[encoders.Head.OutputDimension];
            encoders.Head.Project(embedding, projected);
            Assert.Equal(1.0, TensorPrimitives.Norm(projected), 4);
        }
    }

    [Fact]
    public void Encode_OddInputsInOneBatch_EqualEachAlone()
    {
        // Padding to the batch's longest text must not leak into the short ones.
        var encoder = encoders.All[0];
        string[] texts = ["", "😀", new string('x', 100_000), "\0"];
        var batch = new float[texts.Length * encoder.Dimension];
        encoder.Encode(texts, batch, CancellationToken.None);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = new float[encoder.Dimension];
            encoder.Encode([texts[i]], alone, CancellationToken.None);
            Assert.True(TensorPrimitives.CosineSimilarity(alone, batch.AsSpan(i * encoder.Dimension, encoder.Dimension)) > 0.9999, texts[i].Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public sealed class Encoders : IDisposable
    {
        public IReadOnlyList<MiniLmEncoder> All { get; } =
        [
            new(new MiniLmEncoderOptions()),
            new(new MiniLmEncoderOptions { MaxTokens = 64, Truncation = TruncationSide.Tail }),
            new(new MiniLmEncoderOptions { MaxTokens = 64, Truncation = TruncationSide.Head }),
        ];

        public ProjectionHead Head { get; } = ProjectionHead.Random(384, 64, seed: 1);

        public void Dispose()
        {
            foreach (var encoder in All)
            {
                encoder.Dispose();
            }
        }
    }
}
