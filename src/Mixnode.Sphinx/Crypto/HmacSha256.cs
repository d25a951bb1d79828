using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto.Interop;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// HMAC-SHA256 (RFC 2104 / FIPS 198-1). Fast path: libcrypto's low-level SHA-256 (SHA-NI) with
/// precomputed pad states; fallback, chosen once at start-up if libcrypto or its symbols are missing:
/// .NET's <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>.
/// Allocation-free on both paths.
/// </summary>
[SkipLocalsInit]
public static class HmacSha256
{
    public const int TagSize = 32;

    /// <summary>Whether the libcrypto fast path is in use (decided once per process).</summary>
    internal static bool UsesLibCrypto => LibCrypto.Sha256Available;

    /// <summary>tag = HMAC-SHA256(key, data). Any key length; <paramref name="tag"/> must be exactly 32 bytes.</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        if (tag.Length != TagSize)
        {
            throw new ArgumentException($"HMAC-SHA256 tag must be {TagSize} bytes.", nameof(tag));
        }

        if (LibCrypto.Sha256Available)
        {
            ComputeLibCrypto(key, data, tag);
        }
        else
        {
            ComputeFallback(key, data, tag);
        }
    }

    /// <summary>Constant-time check of a 32-byte tag. False (not an exception) when <paramref name="expectedTag"/> is not 32 bytes.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expectedTag)
    {
        if (expectedTag.Length != TagSize)
        {
            return false;
        }

        Span<byte> tag = stackalloc byte[TagSize];
        Compute(key, data, tag);
        var ok = CryptographicOperations.FixedTimeEquals(tag, expectedTag);
        CryptographicOperations.ZeroMemory(tag);
        return ok;
    }

    internal static unsafe void ComputeLibCrypto(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        HmacSha256State state;
        HmacSha256State.Init(&state, key);
        fixed (byte* t = tag)
        {
            HmacSha256State.Compute(&state, data, default, default, t);
        }

        HmacSha256State.Clear(&state);
    }

    internal static void ComputeFallback(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag) =>
        HMACSHA256.HashData(key, data, tag);
}
