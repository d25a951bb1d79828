using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>HMAC-HASH and HKDF exactly as Noise §4.3 defines them (keys are at most HASHLEN, so never pre-hashed).</summary>
internal static class NoiseKdf
{
    private const int MaxBlock = 128;
    private const int MaxHash = 64;

    /// <summary>HMAC(key, data1 || data2) into <paramref name="output"/> (HASHLEN bytes).</summary>
    public static void Hmac(NoiseHasher hasher, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data1, ReadOnlySpan<byte> data2, Span<byte> output)
    {
        int block = hasher.BlockLength;
        if (key.Length > block)
        {
            throw new ArgumentException("HMAC key longer than the hash block.", nameof(key));
        }

        Span<byte> pad = stackalloc byte[MaxBlock];
        Span<byte> inner = stackalloc byte[MaxHash];
        pad = pad[..block];
        pad.Clear();
        key.CopyTo(pad);
        for (int i = 0; i < pad.Length; i++)
        {
            pad[i] ^= 0x36;
        }

        hasher.Start();
        hasher.Append(pad);
        hasher.Append(data1);
        hasher.Append(data2);
        hasher.Finish(inner);

        for (int i = 0; i < pad.Length; i++)
        {
            pad[i] ^= 0x36 ^ 0x5c;
        }

        hasher.Start();
        hasher.Append(pad);
        hasher.Append(inner[..hasher.HashLength]);
        hasher.Finish(output);
        CryptographicOperations.ZeroMemory(pad);
        CryptographicOperations.ZeroMemory(inner);
    }

    /// <summary>
    /// HKDF(chainingKey, ikm) with two or three outputs, each HASHLEN bytes. <paramref name="output3"/> may be empty
    /// (two outputs). Outputs may alias <paramref name="chainingKey"/>: it is read only into the temporary key first.
    /// </summary>
    public static void Hkdf(NoiseHasher hasher, ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> ikm,
        Span<byte> output1, Span<byte> output2, Span<byte> output3)
    {
        int n = hasher.HashLength;
        Span<byte> tempKey = stackalloc byte[MaxHash];
        tempKey = tempKey[..n];
        ReadOnlySpan<byte> one = [0x01];
        ReadOnlySpan<byte> two = [0x02];
        ReadOnlySpan<byte> three = [0x03];
        Hmac(hasher, chainingKey, ikm, default, tempKey);
        Hmac(hasher, tempKey, one, default, output1);
        Hmac(hasher, tempKey, output1[..n], two, output2);
        if (!output3.IsEmpty)
        {
            Hmac(hasher, tempKey, output2[..n], three, output3);
        }

        CryptographicOperations.ZeroMemory(tempKey);
    }
}
