using Mixnode.Noise.Internal;

namespace Mixnode.Noise;

/// <summary>
/// The two transport cipher states of a finished handshake: one to send, one to receive. Each message is
/// plaintext + a 16-byte tag, at most 65535 bytes; nothing is allocated per message. One thread may send while
/// another receives (the directions share no state); each direction by itself is not thread-safe.
/// A failed decryption changes nothing. <see cref="Dispose"/> zeroes both keys.
/// </summary>
public sealed class NoiseTransport : IDisposable
{
    public const int TagSize = AeadKey.TagSize;

    public const int MaxMessageSize = HandshakeState.MaxMessageSize;

    public const int MaxPlaintextSize = MaxMessageSize - TagSize;

    private readonly CipherState? _send;
    private readonly CipherState? _receive;
    private readonly byte[] _handshakeHash;
    private bool _disposed;

    internal NoiseTransport(CipherState? send, CipherState? receive, byte[] handshakeHash)
    {
        _send = send;
        _receive = receive;
        _handshakeHash = handshakeHash;
    }

    /// <summary>The handshake hash h, identical on both sides: binds a session to its handshake.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _handshakeHash;

    /// <summary>False for the responder of a one-way pattern.</summary>
    public bool CanSend => _send is not null;

    /// <summary>False for the initiator of a one-way pattern.</summary>
    public bool CanReceive => _receive is not null;

    internal CipherState? SendCipher => _send;

    internal CipherState? ReceiveCipher => _receive;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into the first plaintext.Length + 16 bytes of <paramref name="ciphertext"/>.
    /// In place is allowed when both spans start at the same address.
    /// </summary>
    public NoiseResult Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_send is null)
        {
            return NoiseResult.WrongTurn;
        }

        if (plaintext.Length > MaxPlaintextSize)
        {
            return NoiseResult.MessageTooLong;
        }

        if (ciphertext.Length < plaintext.Length + TagSize)
        {
            return NoiseResult.BufferTooSmall;
        }

        CheckOverlap(plaintext, ciphertext);
        return _send.EncryptWithAd(default, plaintext, ciphertext);
    }

    /// <summary>
    /// Checks and decrypts <paramref name="ciphertext"/> into the first ciphertext.Length - 16 bytes of
    /// <paramref name="plaintext"/>. In place is allowed when both spans start at the same address.
    /// </summary>
    public NoiseResult Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_receive is null)
        {
            return NoiseResult.WrongTurn;
        }

        if (ciphertext.Length > MaxMessageSize)
        {
            return NoiseResult.MessageTooLong;
        }

        if (ciphertext.Length < TagSize)
        {
            return NoiseResult.MessageTooShort;
        }

        if (plaintext.Length < ciphertext.Length - TagSize)
        {
            return NoiseResult.BufferTooSmall;
        }

        CheckOverlap(ciphertext, plaintext);
        return _receive.DecryptWithAd(default, ciphertext, plaintext);
    }

    /// <summary>Spec §11.3: replaces the sending key by REKEY(k); the peer must call <see cref="RekeyReceive"/> at the same point.</summary>
    public void RekeySend()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _send?.Rekey();
    }

    /// <summary>Replaces the receiving key by REKEY(k), matching the peer's <see cref="RekeySend"/>.</summary>
    public void RekeyReceive()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _receive?.Rekey();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _send?.Dispose();
        _receive?.Dispose();
    }

    private static void CheckOverlap(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            throw new ArgumentException("Input and output may be the same memory, but must not partly overlap.", nameof(output));
        }
    }
}
