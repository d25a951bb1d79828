using System.Buffers;
using System.Security.Cryptography;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>A message waiting in a mailbox, in a pooled buffer.</summary>
public readonly struct StoredMessage
{
    private readonly byte[] _buffer;

    internal StoredMessage(byte[] buffer, int length, bool isSurbReply, Bytes16 surbId)
    {
        _buffer = buffer;
        Length = length;
        IsSurbReply = isSurbReply;
        SurbId = surbId;
    }

    public int Length { get; }

    public bool IsSurbReply { get; }

    public Bytes16 SurbId { get; }

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, Length);

    /// <summary>Clears the message and gives its buffer back to the pool. Use the message no more afterwards.</summary>
    public void Return()
    {
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, Length));
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
