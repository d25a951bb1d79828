using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// FIPS 180-4 SHA-512/256: the SHA-512 compression function with its own IV (§5.3.6.2; note H0 is
/// 22312194FC2BF72C, as re-derived with the §5.3.6 IV generation function), output truncated to 32 bytes. .NET has none, so this is a managed implementation; allocation-free.
/// </summary>
[SkipLocalsInit]
public static class Sha512_256
{
    public const int HashSize = 32;
    private const int BlockSize = 128;

    /// <summary>digest = SHA-512/256(data). <paramref name="digest"/> must be exactly 32 bytes.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        if (digest.Length != HashSize)
        {
            throw new ArgumentException($"SHA-512/256 digest must be {HashSize} bytes.", nameof(digest));
        }

        State state = default;
        state.H0 = 0x22312194FC2BF72CUL;
        state.H1 = 0x9F555FA3C84C64C2UL;
        state.H2 = 0x2393B86B6F53B151UL;
        state.H3 = 0x963877195940EABDUL;
        state.H4 = 0x96283EE2A88EFFE3UL;
        state.H5 = 0xBE5E1E2553863992UL;
        state.H6 = 0x2B0199FC2C85B8AAUL;
        state.H7 = 0x0EB72DDC81C52CA2UL;

        var fullBlocks = data.Length / BlockSize;
        for (var i = 0; i < fullBlocks; i++)
        {
            Compress(ref state, data.Slice(i * BlockSize, BlockSize));
        }

        // Padding: 0x80, zeros, 128-bit big-endian bit length. One or two final blocks.
        Span<byte> tail = stackalloc byte[2 * BlockSize];
        var rest = data.Slice(fullBlocks * BlockSize);
        var tailLength = rest.Length + 1 + 16 <= BlockSize ? BlockSize : 2 * BlockSize;
        tail = tail[..tailLength];
        tail.Clear();
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var bitLength = (UInt128)(ulong)data.Length << 3;
        BinaryPrimitives.WriteUInt128BigEndian(tail[^16..], bitLength);
        Compress(ref state, tail[..BlockSize]);
        if (tailLength == 2 * BlockSize)
        {
            Compress(ref state, tail[BlockSize..]);
        }

        BinaryPrimitives.WriteUInt64BigEndian(digest, state.H0);
        BinaryPrimitives.WriteUInt64BigEndian(digest[8..], state.H1);
        BinaryPrimitives.WriteUInt64BigEndian(digest[16..], state.H2);
        BinaryPrimitives.WriteUInt64BigEndian(digest[24..], state.H3);

        CryptographicOperations.ZeroMemory(tail);
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(new Span<State>(ref state)));
    }

    private struct State
    {
        public ulong H0, H1, H2, H3, H4, H5, H6, H7;
    }

    private static ReadOnlySpan<ulong> K =>
    [
        0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
        0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
        0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
        0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
        0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
        0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
        0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
        0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
        0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
        0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
        0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
        0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
        0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
        0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
        0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
        0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
        0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
        0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
        0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
        0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Ch(ulong e, ulong f, ulong g) => g ^ (e & (f ^ g));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Maj(ulong a, ulong b, ulong c) => (a & b) | (c & (a | b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BigSigma0(ulong a) =>
        BitOperations.RotateRight(a, 28) ^ BitOperations.RotateRight(a, 34) ^ BitOperations.RotateRight(a, 39);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BigSigma1(ulong e) =>
        BitOperations.RotateRight(e, 14) ^ BitOperations.RotateRight(e, 18) ^ BitOperations.RotateRight(e, 41);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SmallSigma0(ulong x) =>
        BitOperations.RotateRight(x, 1) ^ BitOperations.RotateRight(x, 8) ^ (x >> 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SmallSigma1(ulong x) =>
        BitOperations.RotateRight(x, 19) ^ BitOperations.RotateRight(x, 61) ^ (x >> 6);

    private static void Compress(ref State state, ReadOnlySpan<byte> block)
    {
        // Full 80-word message schedule up front, then a plain rotating-variable round loop: every working
        // variable stays a register local (passing them by ref to a helper would force them onto the stack).
        Span<ulong> w = stackalloc ulong[80];
        ref var w0 = ref MemoryMarshal.GetReference(w);
        ref var b0 = ref MemoryMarshal.GetReference(block);
        for (var i = 0; i < 16; i++)
        {
            var word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b0, i * 8));
            Unsafe.Add(ref w0, i) = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(word) : word;
        }

        for (var t = 16; t < 80; t++)
        {
            Unsafe.Add(ref w0, t) = SmallSigma1(Unsafe.Add(ref w0, t - 2)) + Unsafe.Add(ref w0, t - 7)
                + SmallSigma0(Unsafe.Add(ref w0, t - 15)) + Unsafe.Add(ref w0, t - 16);
        }

        var a = state.H0;
        var b = state.H1;
        var c = state.H2;
        var d = state.H3;
        var e = state.H4;
        var f = state.H5;
        var g = state.H6;
        var h = state.H7;
        ref var k0 = ref MemoryMarshal.GetReference(K);

        for (var t = 0; t < 80; t++)
        {
            var t1 = h + BigSigma1(e) + Ch(e, f, g) + Unsafe.Add(ref k0, t) + Unsafe.Add(ref w0, t);
            var t2 = BigSigma0(a) + Maj(a, b, c);
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }

        state.H0 += a;
        state.H1 += b;
        state.H2 += c;
        state.H3 += d;
        state.H4 += e;
        state.H5 += f;
        state.H6 += g;
        state.H7 += h;

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(w));
    }
}
