using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto.Interop;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// HKDF-SHA256 (RFC 5869), Expand step only. Fast path: one HMAC key set-up for the PRK, then each
/// T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i) costs the data blocks plus one outer block on libcrypto's SHA-256.
/// Fallback (no libcrypto): .NET's <see cref="HKDF.Expand(HashAlgorithmName, ReadOnlySpan{byte}, Span{byte}, ReadOnlySpan{byte})"/>.
/// </summary>
[SkipLocalsInit]
public static class HkdfSha256
{
    private const int HashLength = 32;
    private const int MaxOutputLength = 255 * HashLength;

    /// <summary>
    /// RFC 5869 HKDF-Expand only (Katzenpost's KDF uses the raw X25519 output as PRK). output.Length ≤ 255*32.
    /// Any PRK length is accepted. <paramref name="info"/> must not overlap <paramref name="output"/>.
    /// </summary>
    public static void Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Validate(info, output);
        if (output.IsEmpty)
        {
            return;
        }

        if (LibCrypto.Sha256Available)
        {
            ExpandCore(prk, info, output);
        }
        else
        {
            ExpandCoreFallback(prk, info, output);
        }
    }

    internal static void ExpandLibCrypto(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Validate(info, output);
        if (!output.IsEmpty)
        {
            ExpandCore(prk, info, output);
        }
    }

    internal static void ExpandFallback(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Validate(info, output);
        if (!output.IsEmpty)
        {
            ExpandCoreFallback(prk, info, output);
        }
    }

    private static void Validate(ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.Length > MaxOutputLength)
        {
            throw new ArgumentException($"HKDF-SHA256 output is limited to {MaxOutputLength} bytes.", nameof(output));
        }

        if (output.Overlaps(info))
        {
            throw new ArgumentException("HKDF info must not overlap the output.", nameof(info));
        }
    }

    private static unsafe void ExpandCore(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        HmacSha256State state;
        HmacSha256State.Init(&state, prk);

        byte* t = stackalloc byte[HashLength];
        byte counter = 1;
        var previous = ReadOnlySpan<byte>.Empty;
        var offset = 0;
        while (true)
        {
            HmacSha256State.Compute(&state, previous, info, new ReadOnlySpan<byte>(&counter, 1), t);
            var take = Math.Min(HashLength, output.Length - offset);
            new ReadOnlySpan<byte>(t, take).CopyTo(output.Slice(offset));
            offset += take;
            if (offset == output.Length)
            {
                break;
            }

            previous = new ReadOnlySpan<byte>(t, HashLength);
            counter++;
        }

        CryptographicOperations.ZeroMemory(new Span<byte>(t, HashLength));
        HmacSha256State.Clear(&state);
    }

    private static void ExpandCoreFallback(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (prk.Length >= HashLength)
        {
            HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
            return;
        }

        // .NET refuses PRKs shorter than HashLen (RFC 5869 says "at least", HMAC itself does not care);
        // keep both paths total over the same inputs by doing the iteration with HMACSHA256 directly.
        Span<byte> block = stackalloc byte[HashLength + 255 + 1];
        var inputLength = HashLength + info.Length + 1;
        var input = inputLength <= block.Length ? block[..inputLength] : new byte[inputLength];
        Span<byte> t = stackalloc byte[HashLength];
        var offset = 0;
        for (var counter = 1; offset < output.Length; counter++)
        {
            var prefix = counter == 1 ? 0 : HashLength;
            var message = input.Slice(HashLength - prefix, prefix + info.Length + 1);
            t.CopyTo(input);
            info.CopyTo(input.Slice(HashLength));
            input[HashLength + info.Length] = (byte)counter;
            HMACSHA256.HashData(prk, message, t);
            var take = Math.Min(HashLength, output.Length - offset);
            t[..take].CopyTo(output.Slice(offset));
            offset += take;
        }

        CryptographicOperations.ZeroMemory(input);
        CryptographicOperations.ZeroMemory(t);
    }
}
