namespace Mixnode.Noise;

/// <summary>
/// The outcome of a Noise operation. Bad input from the peer is reported here, never thrown; exceptions are kept for
/// programming errors (a disposed object, a missing key the pattern needs).
/// </summary>
public enum NoiseResult
{
    Ok,

    /// <summary>The AEAD tag did not verify: the message was tampered with, or the keys differ.</summary>
    DecryptFailed,

    /// <summary>The output span is too small; nothing was consumed and the state is unchanged, so retry with more room.</summary>
    BufferTooSmall,

    /// <summary>The message is shorter than the keys and tags its handshake step (or a transport tag) needs.</summary>
    MessageTooShort,

    /// <summary>The message (or the message a payload would make) exceeds Noise's 65535-byte limit.</summary>
    MessageTooLong,

    /// <summary>A Diffie-Hellman result was all zero: the peer sent a low-order point.</summary>
    InvalidPublicKey,

    /// <summary>It is the other side's turn (or, in a one-way pattern, this direction does not exist).</summary>
    WrongTurn,

    /// <summary>The handshake is already complete: call Split.</summary>
    HandshakeComplete,

    /// <summary>An earlier message failed; a handshake cannot recover and must be abandoned.</summary>
    HandshakeFailed,

    /// <summary>The cipher state used its last nonce (2^64-2); the session must end.</summary>
    NonceExhausted,
}
