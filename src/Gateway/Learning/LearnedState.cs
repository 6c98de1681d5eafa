using System.Security.Cryptography;
using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Personalisation;

namespace Router.Gateway.Learning;

/// <summary>
/// The live learned state of this replica: the <see cref="MixLlmEngine"/> (and the <see cref="MixLlmRouter"/> over it)
/// plus the gateway's <see cref="LearningStats"/>. Only <see cref="EngineFold"/> changes it, from the log, so every
/// replica holds the same state once it has folded the same entries. Reads are lock-free (volatile references).
/// </summary>
public sealed class LearnedState
{
    private readonly ITextEncoder _encoder;
    private readonly IQueryEncoder? _queries;
    private readonly Lock _foldLock = new();
    private MixLlmRouter _router;
    private LearningStats _stats = LearningStats.Empty;
    private PersonalPreferenceModel _personal;

    /// <summary>
    /// Starts from <paramref name="initial"/> (the checkpoint, or the untrained default); <paramref name="queries"/>
    /// (optional) embeds the queries on the hot path (cache, micro-batching), see <see cref="MixLlmRouter"/>.
    /// </summary>
    public LearnedState(MixLlmEngine initial, ITextEncoder encoder, IQueryEncoder? queries = null, PersonalisationOptions? personalisation = null)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        _queries = queries;
        PersonalisationOptions = personalisation ?? new PersonalisationOptions();
        _personal = new PersonalPreferenceModel(PersonalisationOptions);
        _router = new MixLlmRouter(initial, encoder, queries, _personal);
        InitialCheckpoint = initial.SerializeState();
    }

    /// <summary>The state to start from when no snapshot exists (checkpoint bytes as loaded at start).</summary>
    public ReadOnlyMemory<byte> InitialCheckpoint { get; }

    /// <summary>The router over the current engine.</summary>
    public MixLlmRouter Router => Volatile.Read(ref _router);

    /// <summary>The current engine.</summary>
    public MixLlmEngine Engine => Router.Engine;

    /// <summary>The per-user preferences folded from the same log (docs/personalisation.md).</summary>
    public PersonalPreferenceModel Personal => Volatile.Read(ref _personal);

    /// <summary>The personalisation constants (<c>Router:Personalisation</c>).</summary>
    public PersonalisationOptions PersonalisationOptions { get; }

    /// <summary>The current counters.</summary>
    public LearningStats Stats => Volatile.Read(ref _stats);

    /// <summary>SHA-256 (hex) of the engine's checkpoint bytes: equal on replicas that folded the same entries.</summary>
    public string EngineHash => Engine.StateHash();

    /// <summary>Held by the fold while it changes the state, so <see cref="Capture"/> never sees engine and counters apart.</summary>
    internal Lock FoldLock => _foldLock;

    /// <summary>The engine's checkpoint bytes, the counters and the personal state, taken together between two applied entries.</summary>
    public (byte[] Engine, LearningStats Stats, byte[] Personal) Capture()
    {
        lock (_foldLock)
        {
            return (Engine.SerializeState(), Stats, Personal.Serialize());
        }
    }

    /// <summary>Replaces the engine and the personal state (snapshot restore); null personal state: empty.</summary>
    internal void Replace(MixLlmEngine engine, LearningStats stats, PersonalPreferenceModel? personal = null)
    {
        personal ??= new PersonalPreferenceModel(PersonalisationOptions);
        Volatile.Write(ref _personal, personal);
        Volatile.Write(ref _router, new MixLlmRouter(engine, _encoder, _queries, personal));
        Volatile.Write(ref _stats, stats);
    }

    /// <summary>Publishes new counters (after an engine apply).</summary>
    internal void SetStats(LearningStats stats) => Volatile.Write(ref _stats, stats);

    /// <summary>SHA-256 (hex) of arbitrary state bytes.</summary>
    internal static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
