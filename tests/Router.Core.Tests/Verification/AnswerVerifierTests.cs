using System.Text;
using System.Text.Json.Nodes;
using Router.Core.Decision;
using Router.Core.Verification;

namespace Router.Core.Tests.Verification;

public sealed class AnswerVerifierTests
{
    private const int Dim = 4;
    private static readonly string[] Arms = ["cheap", "mid"];

    /// <summary>
    /// A seeded synthetic task: an answer is right when it agrees with the probe (the probe itself right 80% of the
    /// time), so agreement is the signal a verifier must find; the embeddings are noise.
    /// </summary>
    private static (double[] X, double[] Y) Rows(int n, int seed)
    {
        var rng = new Random(seed);
        var width = AnswerFeatures.Length(Dim, Arms.Length);
        var x = new double[n * width];
        var y = new double[n];
        for (var r = 0; r < n; r++)
        {
            var q = Enumerable.Range(0, Dim).Select(_ => (float)rng.NextDouble()).ToArray();
            var a = Enumerable.Range(0, Dim).Select(_ => (float)rng.NextDouble()).ToArray();
            var agree = rng.NextDouble() < 0.5;
            y[r] = agree ? (rng.NextDouble() < 0.9 ? 1 : 0) : (rng.NextDouble() < 0.2 ? 1 : 0);
            AnswerFeatures.Write(q, a, r % 2, Arms.Length, "B", 1, agree ? "b." : "C", x.AsSpan(r * width, width));
        }

        return (x, y);
    }

    [Fact]
    public void Fit_SameSeed_SameWeights_OtherSeed_Others()
    {
        var (x, y) = Rows(400, 1);
        var options = new AnswerVerifierOptions { Epochs = 5 };

        var a = AnswerVerifier.Fit(Arms, Dim, x, y, options);
        var b = AnswerVerifier.Fit(Arms, Dim, x, y, options);
        var c = AnswerVerifier.Fit(Arms, Dim, x, y, options with { Seed = 99 });

        Assert.Equal(a.Model.W1.ToArray(), b.Model.W1.ToArray());
        Assert.Equal(a.Model.B2, b.Model.B2);
        Assert.NotEqual(a.Model.W1.ToArray(), c.Model.W1.ToArray());
    }

    [Fact]
    public void Fit_AgreementSignal_AgreeingAnswersScoreHigher()
    {
        var (x, y) = Rows(2000, 2);
        var verifier = AnswerVerifier.Fit(Arms, Dim, x, y, new AnswerVerifierOptions());
        float[] q = [0.5f, 0.5f, 0.5f, 0.5f];

        var agree = verifier.Probability(q, q, "cheap", "B", 1, "b")!.Value;
        var disagree = verifier.Probability(q, q, "cheap", "B", 1, "D")!.Value;

        // The data's rates are 0.9 and 0.2; a fitted verifier must rank them and land near them.
        Assert.InRange(agree, 0.75, 0.97);
        Assert.InRange(disagree, 0.08, 0.35);
        Assert.Null(verifier.Probability(q, q, "unknown-arm", "B", 1));
    }

    [Fact]
    public void AnswerForm_Final_ShortAnswersAndLastNumbers()
    {
        Assert.Equal("B", AnswerForm.Final(" b. "));
        Assert.Equal("1234", AnswerForm.Final("So she has 1,000 + 234 = 1,234 apples left.\nThe answer is 1,234."));
        Assert.Null(AnswerForm.Final("def f(x):\n    return x * two and some more prose without digits"));
        Assert.True(AnswerForm.HasCode("```python\nprint(1)\n```"));
    }

    [Fact]
    public void Checkpoint_WithVerifier_RoundTripsAndScoresTheSame()
    {
        var (x, y) = Rows(300, 3);
        var verifier = AnswerVerifier.Fit(Arms, Dim, x, y, new AnswerVerifierOptions { Epochs = 3 });
        var engine = MixLlmEngine.CreateUntrained("test-encoder", Dim);
        engine.AttachVerifier(verifier);

        var loaded = MixLlmEngine.Deserialize(engine.SerializeState());

        Assert.NotNull(loaded.Verifier);
        Assert.Equal(Arms, loaded.Verifier.Arms);
        var width = AnswerFeatures.Length(Dim, Arms.Length);
        for (var r = 0; r < 20; r++)
        {
            Assert.Equal(verifier.Probability(x.AsSpan(r * width, width)), loaded.Verifier.Probability(x.AsSpan(r * width, width)));
        }

        Assert.Equal(engine.StateHash(), loaded.StateHash());
        Assert.Contains("\"version\": 2", Encoding.UTF8.GetString(engine.SerializeState()), StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_Version1WithoutVerifier_Loads()
    {
        var json = JsonNode.Parse(MixLlmEngine.CreateUntrained("test-encoder", Dim).SerializeState())!;
        json["version"] = 1;

        var loaded = MixLlmEngine.Deserialize(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.Null(loaded.Verifier);
    }

    [Fact]
    public void Checkpoint_VerifierOfTheWrongShape_RefusedNamingTheField()
    {
        var (x, y) = Rows(50, 4);
        var engine = MixLlmEngine.CreateUntrained("test-encoder", Dim);
        engine.AttachVerifier(AnswerVerifier.Fit(Arms, Dim, x, y, new AnswerVerifierOptions { Epochs = 1 }));
        var json = JsonNode.Parse(engine.SerializeState())!;
        json["verifier"]!["model"]!["b1"] = Convert.ToBase64String(new byte[8]);

        var e = Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize(Encoding.UTF8.GetBytes(json.ToJsonString())));

        Assert.Contains("verifier", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.b1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => engine.AttachVerifier(AnswerVerifier.Fit(Arms, Dim + 1,
            new double[AnswerFeatures.Length(Dim + 1, Arms.Length)], [1], new AnswerVerifierOptions { Epochs = 1 })));
    }
}
