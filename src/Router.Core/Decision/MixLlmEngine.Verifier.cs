using Router.Core.Checkpoint;
using Router.Core.Prediction;
using Router.Core.Verification;

namespace Router.Core.Decision;

public sealed partial class MixLlmEngine
{
    private AnswerVerifier? _verifier;

    /// <summary>
    /// The learned answer verifier saved with the checkpoint (format v2), or null: cascades ask it whether a cheap
    /// arm's answer is likely right before paying for a stronger arm. It reads raw encoder embeddings
    /// (<see cref="InputDimension"/>) of the query and the answer. Not learned online.
    /// </summary>
    public AnswerVerifier? Verifier => Volatile.Read(ref _verifier);

    /// <summary>Attaches (or, with null, removes) the verifier; it is then part of <see cref="SerializeState"/>.</summary>
    /// <exception cref="ArgumentException">Its embedding dimension is not the encoder's.</exception>
    public void AttachVerifier(AnswerVerifier? verifier)
    {
        if (verifier is not null && verifier.EmbeddingDimension != InputDimension)
        {
            throw new ArgumentException($"verifier embeddings have {verifier.EmbeddingDimension} dimensions, the encoder {InputDimension}", nameof(verifier));
        }

        Volatile.Write(ref _verifier, verifier);
    }

    private static VerifierDocument? ToDocument(AnswerVerifier? verifier) => verifier is null ? null : new VerifierDocument
    {
        FeatureVersion = AnswerVerifier.FeatureVersion,
        EmbeddingDimension = verifier.EmbeddingDimension,
        Arms = verifier.Arms,
        Model = new MlpDocument(verifier.Model.Inputs, verifier.Model.Hidden, verifier.Model.LearningRate, verifier.Model.W1.ToArray(),
            verifier.Model.B1.ToArray(), verifier.Model.W2.ToArray(), verifier.Model.B2),
    };

    /// <summary>The verifier of a checkpoint, every number and shape checked first (the message names the field).</summary>
    private static AnswerVerifier? FromDocument(VerifierDocument? document, int encoderDimension)
    {
        if (document is null)
        {
            return null;
        }

        if (document.FeatureVersion != AnswerVerifier.FeatureVersion)
        {
            throw new InvalidDataException($"Checkpoint verifier: feature version {document.FeatureVersion} is not supported (expected {AnswerVerifier.FeatureVersion}).");
        }

        if (document.Arms is not { Count: > 0 } arms || arms.Any(string.IsNullOrEmpty) || document.Model is not { } m)
        {
            throw new InvalidDataException("Checkpoint verifier: arms and model are required.");
        }

        if (document.EmbeddingDimension != encoderDimension)
        {
            throw new InvalidDataException($"Checkpoint verifier: embeddingDimension {document.EmbeddingDimension} is not the encoder's {encoderDimension}.");
        }

        var inputs = AnswerFeatures.Length(encoderDimension, arms.Count);
        if (m.Inputs != inputs || m.Hidden < 1)
        {
            throw new InvalidDataException($"Checkpoint verifier: model has {m.Inputs} inputs and {m.Hidden} hidden units; expected {inputs} inputs.");
        }

        CheckFinite(m.LearningRate, "verifier", "model.learningRate");
        CheckFinite(m.B2, "verifier", "model.b2");
        CheckArray(m.W1, (long)m.Inputs * m.Hidden, "verifier", "model.w1");
        CheckArray(m.B1, m.Hidden, "verifier", "model.b1");
        CheckArray(m.W2, m.Hidden, "verifier", "model.w2");
        return new AnswerVerifier(arms, encoderDimension, new MlpRegressor(m.Inputs, m.Hidden, m.W1, m.B1, m.W2, m.B2, m.LearningRate));
    }
}
