using System.Security.Cryptography;
using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>
/// A SURB we made and the secrets to read its reply: the SURB itself goes to whoever should answer, the keys stay
/// here. Single use: a SURB answered twice is a replay the nodes drop. Dispose clears the keys.
/// </summary>
internal sealed class ReplyBlock : IDisposable
{
    private readonly SphinxGeometry _geometry;
    private readonly byte[] _keys;

    public ReplyBlock(SphinxGeometry geometry, Bytes16 id, byte[] surb, byte[] keys, long totalDelayMs)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(surb);
        ArgumentNullException.ThrowIfNull(keys);
        _geometry = geometry;
        Id = id;
        Surb = surb;
        _keys = keys;
        TotalDelayMs = totalDelayMs;
    }

    /// <summary>The SURB id the recipient's provider hands back with the reply (MessageAck).</summary>
    public Bytes16 Id { get; }

    /// <summary>SurbLength bytes to give to the replier.</summary>
    public byte[] Surb { get; }

    /// <summary>The sum of the NodeDelays on the reply route.</summary>
    public long TotalDelayMs { get; }

    /// <summary>
    /// Decrypts a reply payload (PayloadLength bytes, as a MessageAck carries it); the message, ForwardPayloadLength
    /// bytes, or null when it was not made with this SURB or was altered.
    /// </summary>
    public byte[]? TryDecrypt(ReadOnlySpan<byte> payload)
    {
        byte[] copy = payload.ToArray();
        return SurbBuilder.TryDecryptReply(_geometry, _keys, copy) == ReplyDecryptResult.Success
            ? copy[SphinxGeometry.PayloadTagLength..]
            : null;
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_keys);
}
