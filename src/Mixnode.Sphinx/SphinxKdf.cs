using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx;

/// <summary>
/// Katzenpost's per-hop key derivation: HKDF-SHA256 Expand (no Extract) of the raw X25519 shared secret,
/// 160 bytes, split into the header MAC key, header stream key and IV, AEZ payload key and blinding seed.
/// </summary>
internal static class SphinxKdf
{
    public const int OutputLength = 160;

    public const int MacKeyOffset = 0;
    public const int HeaderKeyOffset = 32;
    public const int HeaderIvOffset = 64;
    public const int PayloadKeyOffset = 80;
    public const int BlindingSeedOffset = 128;

    public const int HeaderKeyLength = 32;
    public const int HeaderIvLength = 16;
    public const int BlindingFactorLength = 32;

    /// <summary><c>katzenpost-kdf-v0-hkdf-sha256</c>.</summary>
    public static ReadOnlySpan<byte> Info => "katzenpost-kdf-v0-hkdf-sha256"u8;

    /// <summary>Zero 8-byte nonce of the original ChaCha20 that turns the blinding seed into a factor.</summary>
    private static ReadOnlySpan<byte> BlindingNonce => [0, 0, 0, 0, 0, 0, 0, 0];

    public static void Derive(ReadOnlySpan<byte> sharedSecret, Span<byte> keys) =>
        HkdfSha256.Expand(sharedSecret, Info, keys[..OutputLength]);

    public static ReadOnlySpan<byte> MacKey(ReadOnlySpan<byte> keys) => keys.Slice(MacKeyOffset, HmacSha256.TagSize);

    public static ReadOnlySpan<byte> HeaderKey(ReadOnlySpan<byte> keys) => keys.Slice(HeaderKeyOffset, HeaderKeyLength);

    /// <summary>The header stream cipher's IV, also the AEZ nonce of the payload.</summary>
    public static ReadOnlySpan<byte> HeaderIv(ReadOnlySpan<byte> keys) => keys.Slice(HeaderIvOffset, HeaderIvLength);

    public static ReadOnlySpan<byte> PayloadKey(ReadOnlySpan<byte> keys) => keys.Slice(PayloadKeyOffset, Aez.KeySize);

    /// <summary>bf = ChaCha20(seed, 8-byte zero nonce, counter 0) keystream[0:32].</summary>
    public static void BlindingFactor(ReadOnlySpan<byte> keys, Span<byte> factor) =>
        ChaCha20.Keystream(keys.Slice(BlindingSeedOffset, 32), BlindingNonce, 0, factor[..BlindingFactorLength]);
}
