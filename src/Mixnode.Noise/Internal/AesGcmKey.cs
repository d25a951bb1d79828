using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>
/// AESGCM (AES-256-GCM) through <see cref="AesGcm"/>, which works with or without AES-NI (libsodium's needs it):
/// nonce = 4 zero bytes || big-endian counter. A new key makes a new <see cref="AesGcm"/> (handshake steps and rekeys
/// only); each message then allocates nothing.
/// </summary>
internal sealed class AesGcmKey : AeadKey
{
    private AesGcm? _aes;

    public override void SetKey(ReadOnlySpan<byte> key)
    {
        _aes?.Dispose();
        _aes = new AesGcm(key[..KeySize], TagSize);
    }

    public override void Encrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> iv = stackalloc byte[NonceSize];
        iv[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(iv[4..], nonce);
        Aes.Encrypt(iv, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, TagSize), ad);
    }

    public override bool Decrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        int length = ciphertext.Length - TagSize;
        Span<byte> iv = stackalloc byte[NonceSize];
        iv[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(iv[4..], nonce);
        try
        {
            Aes.Decrypt(iv, ciphertext[..length], ciphertext[length..], plaintext[..length], ad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _aes?.Dispose();
        _aes = null;
    }

    private AesGcm Aes => _aes ?? throw new InvalidOperationException("AES-GCM key not set.");
}
