using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>
/// ChaChaPoly (RFC 8439 ChaCha20-Poly1305) through <see cref="ChaCha20Poly1305"/> (OpenSSL on Linux: its vectorised
/// ChaCha20 and Poly1305 are faster than libsodium's on transport-sized messages): nonce = 4 zero bytes ||
/// little-endian counter. A new key makes a new object (handshake steps and rekeys only); each message then
/// allocates nothing.
/// </summary>
internal sealed class ChaChaPolyKey : AeadKey
{
    private ChaCha20Poly1305? _aead;

    public static bool IsSupported => ChaCha20Poly1305.IsSupported;

    public override void SetKey(ReadOnlySpan<byte> key)
    {
        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key[..KeySize]);
    }

    public override void Encrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> iv = stackalloc byte[NonceSize];
        iv[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(iv[4..], nonce);
        Aead.Encrypt(iv, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, TagSize), ad);
    }

    public override bool Decrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        int length = ciphertext.Length - TagSize;
        Span<byte> iv = stackalloc byte[NonceSize];
        iv[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(iv[4..], nonce);
        try
        {
            Aead.Decrypt(iv, ciphertext[..length], ciphertext[length..], plaintext[..length], ad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The tag check itself is constant-time (OpenSSL); only the failure is reported this way.
            return false;
        }
    }

    public override void Dispose()
    {
        _aead?.Dispose();
        _aead = null;
    }

    private ChaCha20Poly1305 Aead => _aead ?? throw new InvalidOperationException("ChaChaPoly key not set.");
}
