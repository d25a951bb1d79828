namespace Mixnode.Sphinx;

/// <summary>Outcome of decrypting a reply that arrived through one of our SURBs.</summary>
public enum ReplyDecryptResult : byte
{
    Success = 0,

    /// <summary>The payload is not the geometry's PayloadLength (tag included).</summary>
    InvalidLength,

    /// <summary>The SURB keys do not fit a route of 1..NrHops hops.</summary>
    InvalidKeys,

    /// <summary>After decryption the 32-byte zero tag is not zero: wrong keys, or the reply was altered.</summary>
    PayloadTagMismatch,
}
