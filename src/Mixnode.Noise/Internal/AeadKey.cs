namespace Mixnode.Noise.Internal;

/// <summary>
/// One cipher function's keyed AEAD: ENCRYPT(k, n, ad, plaintext) and DECRYPT from Noise §4.2, with the 64-bit
/// counter turned into that cipher's 96-bit nonce. Ciphertext is plaintext followed by the 16-byte tag; the
/// plaintext and the start of the ciphertext may be the same memory.
/// </summary>
internal abstract class AeadKey : IDisposable
{
    public const int KeySize = 32;
    public const int TagSize = 16;
    public const int NonceSize = 12;

    public static AeadKey Create(NoiseCipherFunction function) => function switch
    {
        NoiseCipherFunction.ChaChaPoly => ChaChaPolyKey.IsSupported ? new ChaChaPolyKey() : new SodiumChaChaPolyKey(),
        _ => new AesGcmKey(),
    };

    /// <summary>Replaces the key (32 bytes).</summary>
    public abstract void SetKey(ReadOnlySpan<byte> key);

    /// <summary>Writes plaintext.Length + 16 bytes to <paramref name="ciphertext"/>.</summary>
    public abstract void Encrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext);

    /// <summary>Writes ciphertext.Length - 16 bytes to <paramref name="plaintext"/> if the tag verifies (checked in constant time).</summary>
    public abstract bool Decrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext);

    public abstract void Dispose();
}
