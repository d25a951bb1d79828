namespace Mixnode.Sphinx;

/// <summary>
/// Outcome of unwrapping one packet at a hop. Every failure is its own value so a node can count drops by
/// reason; none of them throws.
/// </summary>
public enum UnwrapResult : byte
{
    Success = 0,

    /// <summary>The packet is not exactly the geometry's PacketLength.</summary>
    InvalidLength,

    /// <summary>The two version bytes are not 0x00 0x00.</summary>
    InvalidVersion,

    /// <summary>alpha is a low-order point: the shared secret (or the blinded alpha) came out all zero.</summary>
    InvalidGroupElement,

    /// <summary>The header MAC does not verify under this key (tampered, or meant for another key/epoch).</summary>
    MacMismatch,

    /// <summary>The decrypted routing block holds unknown, truncated or duplicate commands or bad padding.</summary>
    MalformedCommands,

    /// <summary>At the exit, the 32-byte zero tag in front of the payload is not zero: the payload was altered.</summary>
    PayloadTagMismatch,
}
