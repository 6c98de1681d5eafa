using Router.Core.Decision;
using Router.Core.Verification;

namespace EndToEnd.Tests.Replicas;

/// <summary>
/// A checkpoint for the cascade tests: the default (untrained) engine on the shared MiniLM encoder with an answer
/// verifier for <see cref="CheapArm"/> trained here, seeded, on a few recorded answers: right ones (a fact that answers
/// the question) labelled 1, evasive ones ("not sure", "no idea") labelled 0. The test queries and answers are not
/// among them. Written once per test class, deleted with it.
/// </summary>
public sealed class CascadeCheckpoint : IDisposable
{
    /// <summary>The arm the verifier knows (the cheap first choice).</summary>
    public const string CheapArm = "cheap-arm";

    private static readonly (string Query, string Right, string Evasive)[] Recorded =
    [
        ("What is the capital of France?", "The capital of France is Paris.", "I am not sure, sorry."),
        ("How many legs does a spider have?", "A spider has eight legs.", "I cannot help with that request."),
        ("What is 12 times 12?", "12 times 12 equals 144.", "No idea."),
        ("Who wrote Hamlet?", "William Shakespeare wrote Hamlet, around 1600.", "I don't know the answer to that; I have no information about it."),
        ("Which gas do plants absorb from the air?", "Plants absorb carbon dioxide from the air for photosynthesis.", "Sorry, I am unable to answer this question."),
        ("At what temperature does water boil at sea level?", "Water boils at 100 degrees Celsius at sea level.", "Hmm, that is hard to say."),
        ("What is the largest planet in the solar system?", "Jupiter is the largest planet in the solar system.", "I do not have that information."),
        ("What is the capital of Japan?", "Tokyo.", "Unknown, sorry."),
    ];

    public CascadeCheckpoint()
    {
        var encoder = ReplicaHost.SharedTextEncoder;
        var d = encoder.Dimension;
        var width = AnswerFeatures.Length(d, 1);
        var rows = Recorded.SelectMany(r => new[] { (r.Query, Answer: r.Right, Label: 1.0), (r.Query, Answer: r.Evasive, Label: 0.0) }).ToArray();
        var features = new double[rows.Length * width];
        var labels = new double[rows.Length];
        var query = new float[d];
        var answer = new float[d];
        for (var i = 0; i < rows.Length; i++)
        {
            encoder.Encode([rows[i].Query], query, CancellationToken.None);
            encoder.Encode([rows[i].Answer], answer, CancellationToken.None);
            var tokens = rows[i].Answer.Split(' ').Length;
            AnswerFeatures.Write(query, answer, 0, 1, rows[i].Answer, tokens, null, features.AsSpan(i * width, width));
            labels[i] = rows[i].Label;
        }

        // 16 rows in one batch: many epochs so that Adam takes enough steps (seeded: the same verifier every run).
        var verifier = AnswerVerifier.Fit([CheapArm], d, features, labels, new AnswerVerifierOptions { Hidden = 8, Epochs = 300, LearningRate = 0.01, Seed = 5 });
        var engine = MixLlmEngine.CreateDefault(encoder.ModelId, d);
        engine.AttachVerifier(verifier);
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "router-e2e-cascade-" + Guid.NewGuid().ToString("N") + ".json");
        engine.Save(Path);
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Dispose() => File.Delete(Path);
}
