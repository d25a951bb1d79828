using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto.Interop;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// HMAC-SHA256 keyed state on top of libcrypto's low-level SHA-256: the inner (key ⊕ ipad) and outer (key ⊕ opad)
/// contexts are absorbed once per key; each MAC then copies them (112-byte struct copies) and costs only the
/// data blocks plus one outer block. Lives on the caller's stack; call <see cref="Clear"/> when done.
/// Only valid when <see cref="LibCrypto.Sha256Available"/>.
/// </summary>
[SkipLocalsInit]
internal unsafe struct HmacSha256State
{
    private const int BlockSize = 64;

    public Sha256Ctx Inner;
    public Sha256Ctx Outer;

    /// <summary>Absorbs the padded key into both contexts. Any key length (RFC 2104: keys over 64 bytes are hashed first).</summary>
    public static void Init(HmacSha256State* state, ReadOnlySpan<byte> key)
    {
        ulong* pad = stackalloc ulong[BlockSize / sizeof(ulong)];
        var padBytes = new Span<byte>(pad, BlockSize);
        padBytes.Clear();

        if (key.Length > BlockSize)
        {
            Sha256Ctx keyCtx;
            fixed (byte* k = key)
            {
                LibCrypto.SHA256_Init(&keyCtx);
                LibCrypto.SHA256_Update(&keyCtx, k, (nuint)key.Length);
                LibCrypto.SHA256_Final((byte*)pad, &keyCtx);
            }

            CryptographicOperations.ZeroMemory(new Span<byte>(&keyCtx, sizeof(Sha256Ctx)));
        }
        else
        {
            key.CopyTo(padBytes);
        }

        for (var i = 0; i < BlockSize / sizeof(ulong); i++)
        {
            pad[i] ^= 0x3636363636363636UL;
        }

        LibCrypto.SHA256_Init(&state->Inner);
        LibCrypto.SHA256_Update(&state->Inner, (byte*)pad, BlockSize);

        for (var i = 0; i < BlockSize / sizeof(ulong); i++)
        {
            pad[i] ^= 0x3636363636363636UL ^ 0x5c5c5c5c5c5c5c5cUL;
        }

        LibCrypto.SHA256_Init(&state->Outer);
        LibCrypto.SHA256_Update(&state->Outer, (byte*)pad, BlockSize);

        CryptographicOperations.ZeroMemory(padBytes);
    }

    /// <summary>tag = HMAC(key, a ‖ b ‖ c). <paramref name="tag"/> must point to 32 writable bytes.</summary>
    public static void Compute(HmacSha256State* state, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, byte* tag)
    {
        var ctx = state->Inner;
        byte* innerHash = stackalloc byte[32];
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        fixed (byte* pc = c)
        {
            if (a.Length != 0)
            {
                LibCrypto.SHA256_Update(&ctx, pa, (nuint)a.Length);
            }

            if (b.Length != 0)
            {
                LibCrypto.SHA256_Update(&ctx, pb, (nuint)b.Length);
            }

            if (c.Length != 0)
            {
                LibCrypto.SHA256_Update(&ctx, pc, (nuint)c.Length);
            }
        }

        LibCrypto.SHA256_Final(innerHash, &ctx);
        ctx = state->Outer;
        LibCrypto.SHA256_Update(&ctx, innerHash, 32);
        LibCrypto.SHA256_Final(tag, &ctx);

        CryptographicOperations.ZeroMemory(new Span<byte>(&ctx, sizeof(Sha256Ctx)));
        CryptographicOperations.ZeroMemory(new Span<byte>(innerHash, 32));
    }

    public static void Clear(HmacSha256State* state) =>
        CryptographicOperations.ZeroMemory(new Span<byte>(state, sizeof(HmacSha256State)));
}
