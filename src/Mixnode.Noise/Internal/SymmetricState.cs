using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>
/// Noise's SymmetricState (§5.2): the chaining key ck, the handshake hash h and a <see cref="CipherState"/>.
/// Owns one <see cref="NoiseHasher"/> for every hash, HMAC and HKDF of the handshake.
/// </summary>
internal sealed class SymmetricState : IDisposable
{
    private const int MaxHash = 64;

    private readonly NoiseHasher _hasher;
    private readonly NoiseCipherFunction _cipherFunction;
    private readonly byte[] _ck = GC.AllocateArray<byte>(MaxHash, pinned: true);
    private readonly byte[] _h = new byte[MaxHash];

    public SymmetricState(NoiseProtocol protocol)
    {
        _hasher = new NoiseHasher(protocol.Hash);
        _cipherFunction = protocol.Cipher;
        Cipher = new CipherState(protocol.Cipher);
        HashLength = _hasher.HashLength;

        // InitializeSymmetric: h = the name padded with zeros if it fits in HASHLEN, else HASH(name); ck = h.
        Span<byte> name = stackalloc byte[256];
        int length = System.Text.Encoding.ASCII.GetBytes(protocol.Name, name);
        if (length <= HashLength)
        {
            name[..length].CopyTo(_h);
        }
        else
        {
            _hasher.Hash(name[..length], default, _h);
        }

        _h.AsSpan(0, HashLength).CopyTo(_ck);
    }

    public int HashLength { get; }

    public CipherState Cipher { get; }

    public ReadOnlySpan<byte> HandshakeHash => _h.AsSpan(0, HashLength);

    /// <summary>ck, temp_k = HKDF(ck, ikm, 2); k = temp_k truncated to 32 bytes; n = 0.</summary>
    public void MixKey(ReadOnlySpan<byte> ikm)
    {
        Span<byte> tempKey = stackalloc byte[MaxHash];
        Span<byte> ck = _ck.AsSpan(0, HashLength);
        NoiseKdf.Hkdf(_hasher, ck, ikm, ck, tempKey[..HashLength], default);
        Cipher.InitializeKey(tempKey[..AeadKey.KeySize]);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>
    /// ck, temp_h, temp_k = HKDF(ck, ikm, 3); MixHash(temp_h); k = temp_k truncated to 32 bytes; n = 0 (spec §5.2,
    /// for the psk token).
    /// </summary>
    public void MixKeyAndHash(ReadOnlySpan<byte> ikm)
    {
        Span<byte> tempHash = stackalloc byte[MaxHash];
        Span<byte> tempKey = stackalloc byte[MaxHash];
        Span<byte> ck = _ck.AsSpan(0, HashLength);
        NoiseKdf.Hkdf(_hasher, ck, ikm, ck, tempHash[..HashLength], tempKey[..HashLength]);
        MixHash(tempHash[..HashLength]);
        Cipher.InitializeKey(tempKey[..AeadKey.KeySize]);
        CryptographicOperations.ZeroMemory(tempHash);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>h = HASH(h || data).</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        Span<byte> h = _h.AsSpan(0, HashLength);
        _hasher.Hash(h, data, h);
    }

    /// <summary>h after mixing <paramref name="data"/>, without changing h (to decrypt in place and commit only on success).</summary>
    public void PeekMixHash(ReadOnlySpan<byte> data, Span<byte> result) => _hasher.Hash(_h.AsSpan(0, HashLength), data, result);

    public int EncryptedLength(int plaintextLength) => Cipher.CiphertextLength(plaintextLength);

    /// <summary>ciphertext = EncryptWithAd(h, plaintext); MixHash(ciphertext). Writes <see cref="EncryptedLength"/> bytes.</summary>
    public NoiseResult EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        int length = Cipher.CiphertextLength(plaintext.Length);
        NoiseResult result = Cipher.EncryptWithAd(HandshakeHash, plaintext, ciphertext);
        if (result == NoiseResult.Ok)
        {
            MixHash(ciphertext[..length]);
        }

        return result;
    }

    /// <summary>plaintext = DecryptWithAd(h, ciphertext); MixHash(ciphertext). Safe when plaintext and ciphertext overlap.</summary>
    public NoiseResult DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        // The ciphertext is hashed before decryption, which may overwrite it in place.
        Span<byte> next = stackalloc byte[MaxHash];
        PeekMixHash(ciphertext, next);
        NoiseResult result = Cipher.DecryptWithAd(HandshakeHash, ciphertext, plaintext);
        if (result == NoiseResult.Ok)
        {
            next[..HashLength].CopyTo(_h);
        }

        return result;
    }

    /// <summary>temp_k1, temp_k2 = HKDF(ck, empty, 2), truncated to 32 bytes: the two transport cipher states.</summary>
    public (CipherState InitiatorToResponder, CipherState ResponderToInitiator) Split()
    {
        Span<byte> k1 = stackalloc byte[MaxHash];
        Span<byte> k2 = stackalloc byte[MaxHash];
        NoiseKdf.Hkdf(_hasher, _ck.AsSpan(0, HashLength), default, k1[..HashLength], k2[..HashLength], default);
        var c1 = new CipherState(_cipherFunction);
        var c2 = new CipherState(_cipherFunction);
        c1.InitializeKey(k1[..AeadKey.KeySize]);
        c2.InitializeKey(k2[..AeadKey.KeySize]);
        CryptographicOperations.ZeroMemory(k1);
        CryptographicOperations.ZeroMemory(k2);
        return (c1, c2);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_ck);
        Cipher.Dispose();
        _hasher.Dispose();
    }
}
