using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Router.Core.State;

namespace Router.Core.Tests.State;

/// <summary>
/// A toy deterministic fold: a running SHA-256 over (kind, idempotency key, payload) plus a count. Two folds hold
/// bit-identical state only if they applied the same entries in the same order, exactly once each.
/// </summary>
internal sealed class HashChainFold : ILearningStateFold
{
    private readonly Lock _gate = new();
    private byte[] _hash = new byte[32];
    private long _count;

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public string? ThrowOnKind { get; init; }

    public byte[] State
    {
        get
        {
            lock (_gate)
            {
                return Serialize().ToArray();
            }
        }
    }

    public void Restore(StateSnapshot? snapshot)
    {
        lock (_gate)
        {
            if (snapshot is null)
            {
                _hash = new byte[32];
                _count = 0;
                return;
            }

            var bytes = snapshot.State.Span;
            _hash = bytes[..32].ToArray();
            _count = BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]);
        }
    }

    public void Apply(LogEntry entry)
    {
        if (entry.Kind == ThrowOnKind)
        {
            throw new InvalidOperationException("poison");
        }

        lock (_gate)
        {
            var input = new List<byte>(_hash);
            input.AddRange(Encoding.UTF8.GetBytes(entry.Kind + "|" + entry.IdempotencyKey + "|"));
            input.AddRange(entry.Payload.ToArray());
            _hash = SHA256.HashData(input.ToArray());
            _count++;
        }
    }

    public ReadOnlyMemory<byte> Serialize()
    {
        var bytes = new byte[40];
        _hash.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(32), _count);
        return bytes;
    }
}
