using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using Router.Core.Embedding;

namespace Router.Core.Tests.Embedding;

public sealed class MiniLmEncoderTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private static readonly string[] Texts =
    [
        "How do I reset my password?",
        "What is the derivative of x squared times sin x with respect to x, using the product rule?",
        "Paris",
    ];

    [Fact]
    public void Encode_Batch_EqualsHandPooledRawOnnxOutput()
    {
        var encoder = fixture.Encoder;
        var ours = new float[Texts.Length * encoder.Dimension];
        encoder.Encode(Texts, ours, CancellationToken.None);

        // Reference: each text alone through a separate session, pooled and normalised by hand in double.
        using var session = new InferenceSession(Path.Combine(encoder.Options.ResolvedModelDirectory, "model.onnx"));
        for (var i = 0; i < Texts.Length; i++)
        {
            var buffer = new long[encoder.Options.MaxTokens];
            var n = encoder.Tokenize(Texts[i], buffer);
            var ids = new DenseTensor<long>(buffer.AsMemory(0, n), [1, n]);
            var mask = new DenseTensor<long>(Enumerable.Repeat(1L, n).ToArray(), [1, n]);
            var types = new DenseTensor<long>(new long[n], [1, n]);
            using var results = session.Run(
            [
                NamedOnnxValue.CreateFromTensor("input_ids", ids),
                NamedOnnxValue.CreateFromTensor("attention_mask", mask),
                NamedOnnxValue.CreateFromTensor("token_type_ids", types),
            ]);
            var hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>();
            var d = hidden.Dimensions[2];
            Assert.Equal(encoder.Dimension, d);
            var mean = new double[d];
            for (var t = 0; t < n; t++)
            {
                for (var k = 0; k < d; k++)
                {
                    mean[k] += hidden[0, t, k] / n;
                }
            }

            var norm = Math.Sqrt(mean.Sum(v => v * v));
            for (var k = 0; k < d; k++)
            {
                Assert.Equal(mean[k] / norm, ours[(i * d) + k], 4);
            }
        }
    }

    [Fact]
    public void Encode_Any_ReturnsUnitVectorsOf384()
    {
        var encoder = fixture.Encoder;
        Assert.Equal(384, encoder.Dimension);
        var e = new float[Texts.Length * 384];
        encoder.Encode(Texts, e, CancellationToken.None);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(1.0, TensorPrimitives.Norm(e.AsSpan(i * 384, 384)), 4);
        }
    }

    [Fact]
    public void Encode_ManyThreadsAtOnce_GivesSameVectorsAsSequential()
    {
        var encoder = fixture.Encoder;
        var sequential = Texts.Select(t =>
        {
            var row = new float[384];
            encoder.Encode([t], row, CancellationToken.None);
            return row;
        }).ToArray();
        var parallel = new float[12][];
        Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var row = new float[384];
            encoder.Encode([Texts[i % Texts.Length]], row, CancellationToken.None);
            parallel[i] = row;
        });
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(sequential[i % Texts.Length], parallel[i]);
        }
    }

    [Fact]
    public void Encode_SimilarTexts_AreCloserThanUnrelated()
    {
        var encoder = fixture.Encoder;
        string[] texts =
        [
            "How do I reset my password?",
            "I forgot my password, how can I change it?",
            "The mitochondria is the powerhouse of the cell.",
        ];
        var e = new float[3 * 384];
        encoder.Encode(texts, e, CancellationToken.None);
        var similar = TensorPrimitives.Dot(e.AsSpan(0, 384), e.AsSpan(384, 384));
        var unrelated = TensorPrimitives.Dot(e.AsSpan(0, 384), e.AsSpan(768, 384));
        Assert.True(similar > unrelated + 0.3, $"similar {similar}, unrelated {unrelated}");
    }

    [Fact]
    public void Tokenize_LongText_KeepsTheTailTokensOfTheFullText()
    {
        var encoder = fixture.Encoder;
        var text = string.Concat(Enumerable.Repeat("Question: what is two plus two? Answer: four. ", 200)) + "Finally, what is the capital of Peru?";
        var buffer = new long[64];
        var n = encoder.Tokenize(text, buffer);
        Assert.Equal(64, n);

        var tokenizer = BertTokenizer.Create(Path.Combine(encoder.Options.ResolvedModelDirectory, "vocab.txt"));
        var full = tokenizer.EncodeToIds(text, addSpecialTokens: false);
        var expectedTail = full.Skip(full.Count - 62).Select(i => (long)i).ToArray();
        Assert.Equal(tokenizer.ClassificationTokenId, buffer[0]);
        Assert.Equal(tokenizer.SeparatorTokenId, buffer[63]);
        Assert.Equal(expectedTail, buffer[1..63]);
    }

    [Fact]
    public void Tokenize_HeadAndTail_KeepsFirstQuarterAndLastTokens()
    {
        using var both = new MiniLmEncoder(new MiniLmEncoderOptions { MaxTokens = 34 });
        Assert.Equal(TruncationSide.HeadAndTail, both.Options.Truncation);
        var text = "Instructions: answer with one letter. " + string.Concat(Enumerable.Repeat("Example question and answer. ", 40)) + "Which planet is largest?";
        var tokenizer = BertTokenizer.Create(Path.Combine(both.Options.ResolvedModelDirectory, "vocab.txt"));
        var full = tokenizer.EncodeToIds(text, addSpecialTokens: false).Select(i => (long)i).ToArray();
        var buffer = new long[34];
        Assert.Equal(34, both.Tokenize(text, buffer));
        Assert.Equal(full[..8], buffer[1..9]);
        Assert.Equal(full[^24..], buffer[9..33]);
        Assert.Contains("/34-head-tail/", both.ModelId, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_HeadTruncation_DiffersFromTailForLongPrompts()
    {
        using var head = new MiniLmEncoder(new MiniLmEncoderOptions { MaxTokens = 32, Truncation = TruncationSide.Head });
        var text = "Tell me about volcanoes and lava. " + string.Concat(Enumerable.Repeat("filler words here ", 50)) + "What is the capital of Peru?";
        var buffer = new long[32];
        var n = head.Tokenize(text, buffer);
        Assert.Equal(32, n);
        Assert.Contains("/32-head/", head.ModelId, StringComparison.Ordinal);
        Assert.NotEqual(head.ModelId, fixture.Encoder.ModelId);
    }
}
