using System.Security.Cryptography;

namespace Mixnode.Client;

/// <summary>
/// Marks the payloads of a client's own Loopix loop packets so that the client knows them when they come back into
/// its mailbox, counts them and never shows them as messages. A loop payload is a random 16-byte token, then the
/// first 16 bytes of HMAC-SHA256 of the token under a key only this client holds, then random bytes to the end:
/// to anyone without the key (the provider that stores it included) it is as random as a drop's payload, and
/// recognising it needs no table of loops in flight. The key is fresh per marker and zeroed on dispose.
/// </summary>
internal sealed class LoopMarker : IDisposable
{
    /// <summary>The random token at the start of a loop payload.</summary>
    public const int TokenLength = 16;

    /// <summary>The truncated HMAC after the token: a forgery succeeds with probability 2^-128.</summary>
    public const int TagLength = 16;

    /// <summary>The marked prefix of a loop payload: token and tag.</summary>
    public const int Length = TokenLength + TagLength;

    private const int KeyLength = 32;

    private readonly byte[] _key = GC.AllocateArray<byte>(KeyLength, pinned: true);
    private int _disposed;

    public LoopMarker() => RandomNumberGenerator.Fill(_key);

    /// <summary>Fills <paramref name="payload"/> (at least <see cref="Length"/> bytes) as one loop's message: token, tag, random rest.</summary>
    public void Write(Span<byte> payload)
    {
        if (payload.Length < Length)
        {
            throw new ArgumentException($"a loop payload needs at least {Length} bytes, got {payload.Length}", nameof(payload));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        RandomNumberGenerator.Fill(payload);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, payload[..TokenLength], mac);
        mac[..TagLength].CopyTo(payload[TokenLength..Length]);
    }

    /// <summary>
    /// True when <paramref name="payload"/> (a message from our mailbox) is one of our loops. Constant time in the
    /// payload's contents; allocates nothing, so a receive loop can ask it of every message.
    /// </summary>
    public bool IsLoop(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Length || Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, payload[..TokenLength], mac);
        return CryptographicOperations.FixedTimeEquals(mac[..TagLength], payload[TokenLength..Length]);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CryptographicOperations.ZeroMemory(_key);
        }
    }
}
