using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>
/// ChaChaPoly (RFC 8439 ChaCha20-Poly1305) through libsodium's detached IETF calls: nonce = 4 zero bytes ||
/// little-endian counter. The fallback where .NET has no ChaCha20Poly1305 (about 1.5 times slower than OpenSSL's on
/// 3 KB messages). The key sits in one pinned array for the object's life, so re-keying allocates nothing.
/// </summary>
internal sealed unsafe class SodiumChaChaPolyKey : AeadKey
{
    private readonly byte[] _key = GC.AllocateArray<byte>(KeySize, pinned: true);

    public SodiumChaChaPolyKey() => Sodium.EnsureInitialized();

    public override void SetKey(ReadOnlySpan<byte> key) => key[..KeySize].CopyTo(_key);

    public override void Encrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> npub = stackalloc byte[NonceSize];
        npub[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(npub[4..], nonce);
        Span<byte> output = ciphertext[..(plaintext.Length + TagSize)];
        fixed (byte* c = output)
        fixed (byte* m = plaintext)
        fixed (byte* a = ad)
        fixed (byte* n = npub)
        fixed (byte* k = _key)
        {
            // libsodium encrypts in place when c == m; the tag goes right after the ciphertext.
            Sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                c, c + plaintext.Length, null, m, (ulong)plaintext.Length, a, (ulong)ad.Length, null, n, k);
        }
    }

    public override bool Decrypt(ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        int length = ciphertext.Length - TagSize;
        Span<byte> npub = stackalloc byte[NonceSize];
        npub[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(npub[4..], nonce);
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        fixed (byte* a = ad)
        fixed (byte* n = npub)
        fixed (byte* k = _key)
        {
            // libsodium verifies the tag (constant time) before it writes any plaintext.
            return Sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                m, null, c, (ulong)length, c + length, a, (ulong)ad.Length, n, k) == 0;
        }
    }

    public override void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
