using System.Buffers;
using System.Security.Cryptography;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>A message waiting in a mailbox, in a pooled buffer.</summary>
public readonly struct StoredMessage
{
    private readonly byte[] _buffer;

    internal StoredMessage(byte[] buffer, int length, bool isSurbReply, Bytes16 surbId, long arrivedTimestamp = 0)
    {
        _buffer = buffer;
        Length = length;
        IsSurbReply = isSurbReply;
        SurbId = surbId;
        ArrivedTimestamp = arrivedTimestamp;
    }

    public int Length { get; }

    public bool IsSurbReply { get; }

    public Bytes16 SurbId { get; }

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, Length);

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the message was stored; its lifetime counts from it.</summary>
    internal long ArrivedTimestamp { get; }

    /// <summary>What the message holds of the store's byte budget: its whole (pooled, rounded-up) buffer.</summary>
    internal int StoredBytes => _buffer.Length;

    /// <summary>Clears the message and gives its buffer back to the pool. Use the message no more afterwards.</summary>
    public void Return()
    {
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, Length));
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
