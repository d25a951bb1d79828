using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>
/// Noise's CipherState (§5.1): a key k (or none) and a 64-bit nonce n. Nonce 2^64-1 is reserved for rekeying,
/// so once n reaches it every further encryption or decryption reports <see cref="NoiseResult.NonceExhausted"/>.
/// A failed decryption does not advance n.
/// </summary>
internal sealed class CipherState : IDisposable
{
    public const ulong MaxNonce = ulong.MaxValue;

    private readonly AeadKey _aead;

    public CipherState(NoiseCipherFunction function)
        : this(AeadKey.Create(function))
    {
    }

    /// <summary>A cipher state over a given implementation (tests compare the libsodium and OpenSSL ChaChaPoly).</summary>
    public CipherState(AeadKey aead) => _aead = aead;

    public bool HasKey { get; private set; }

    /// <summary>The next nonce; settable for tests of nonce exhaustion.</summary>
    public ulong Nonce { get; set; }

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _aead.SetKey(key);
        HasKey = true;
        Nonce = 0;
    }

    /// <summary>Bytes the encryption of <paramref name="plaintextLength"/> bytes takes: +16 once there is a key.</summary>
    public int CiphertextLength(int plaintextLength) => HasKey ? plaintextLength + AeadKey.TagSize : plaintextLength;

    /// <summary>Writes <see cref="CiphertextLength"/> bytes; without a key, copies the plaintext.</summary>
    public NoiseResult EncryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (!HasKey)
        {
            plaintext.CopyTo(ciphertext);
            return NoiseResult.Ok;
        }

        if (Nonce == MaxNonce)
        {
            return NoiseResult.NonceExhausted;
        }

        _aead.Encrypt(Nonce, ad, plaintext, ciphertext);
        Nonce++;
        return NoiseResult.Ok;
    }

    /// <summary>Writes ciphertext.Length (- 16 once there is a key) bytes of plaintext if the tag verifies.</summary>
    public NoiseResult DecryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (!HasKey)
        {
            ciphertext.CopyTo(plaintext);
            return NoiseResult.Ok;
        }

        if (Nonce == MaxNonce)
        {
            return NoiseResult.NonceExhausted;
        }

        if (ciphertext.Length < AeadKey.TagSize)
        {
            return NoiseResult.MessageTooShort;
        }

        if (!_aead.Decrypt(Nonce, ad, ciphertext, plaintext))
        {
            return NoiseResult.DecryptFailed;
        }

        Nonce++;
        return NoiseResult.Ok;
    }

    /// <summary>§4.2 REKEY: k = the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes); n is unchanged.</summary>
    public void Rekey()
    {
        if (!HasKey)
        {
            return;
        }

        Span<byte> block = stackalloc byte[AeadKey.KeySize + AeadKey.TagSize];
        block.Clear();
        _aead.Encrypt(MaxNonce, default, block[..AeadKey.KeySize], block);
        _aead.SetKey(block[..AeadKey.KeySize]);
        CryptographicOperations.ZeroMemory(block);
    }

    public void Dispose()
    {
        _aead.Dispose();
        HasKey = false;
    }
}
