using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using AesNi = System.Runtime.Intrinsics.X86.Aes;
using Sse2 = System.Runtime.Intrinsics.X86.Sse2;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// AES-256-CTR with Go <c>cipher.NewCTR</c> / Katzenpost semantics: the 16-byte IV is the whole initial counter block,
/// incremented as one 128-bit big-endian integer (carries across all 16 bytes, wraps modulo 2^128).
/// Fast path: AES-NI key expansion and 8-way interleaved block encryption. Fallback: .NET's
/// <see cref="System.Security.Cryptography.Aes.EncryptEcb(ReadOnlySpan{byte}, Span{byte}, PaddingMode)"/> on
/// counter blocks with one cached <see cref="System.Security.Cryptography.Aes"/> per thread.
/// </summary>
[SkipLocalsInit]
public static class Aes256Ctr
{
    public const int KeySize = 32;
    public const int IvSize = 16;
    private const int BlockSize = 16;
    private const int Rounds = 14;

    internal static bool UsesAesNi => AesNi.IsSupported && Sse2.IsSupported;

    /// <summary>AES-256-CTR where the 16-byte iv is the whole initial counter block. input and output may be the same span.</summary>
    public static void Xor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ValidateXor(key, iv, input, output);
        if (UsesAesNi)
        {
            CoreAesNi(key, iv, input, output, xor: true);
        }
        else
        {
            CoreFallback(key, iv, input, output, xor: true);
        }
    }

    /// <summary>Writes the raw keystream (encryption of the counter blocks) to <paramref name="output"/>.</summary>
    public static void Keystream(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> output)
    {
        ValidateKeyIv(key, iv);
        if (UsesAesNi)
        {
            CoreAesNi(key, iv, default, output, xor: false);
        }
        else
        {
            CoreFallback(key, iv, default, output, xor: false);
        }
    }

    internal static void XorAesNi(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ValidateXor(key, iv, input, output);
        CoreAesNi(key, iv, input, output, xor: true);
    }

    internal static void XorFallback(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ValidateXor(key, iv, input, output);
        CoreFallback(key, iv, input, output, xor: true);
    }

    internal static void KeystreamAesNi(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> output)
    {
        ValidateKeyIv(key, iv);
        CoreAesNi(key, iv, default, output, xor: false);
    }

    internal static void KeystreamFallback(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> output)
    {
        ValidateKeyIv(key, iv);
        CoreFallback(key, iv, default, output, xor: false);
    }

    private static void ValidateKeyIv(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"AES-256 key must be {KeySize} bytes.", nameof(key));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException($"AES-CTR IV must be {IvSize} bytes.", nameof(iv));
        }
    }

    private static void ValidateXor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ValidateKeyIv(key, iv);
        if (input.Length != output.Length)
        {
            throw new ArgumentException("AES-CTR input and output must have the same length.", nameof(output));
        }

        // In place is fine (each byte is read before it is written); any other overlap would read clobbered input.
        if (output.Overlaps(input, out var elementOffset) && elementOffset != 0)
        {
            throw new ArgumentException("AES-CTR input and output must be the same span or not overlap.", nameof(output));
        }
    }

    // ---------------------------------------------------------------- AES-NI

    [InlineArray(Rounds + 1)]
    private struct RoundKeys
    {
        private Vector128<byte> _element;
    }

    private static void CoreAesNi(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, bool xor)
    {
        if (output.IsEmpty)
        {
            return;
        }

        Unsafe.SkipInit(out RoundKeys rk);
        ExpandKey(key, ref rk);

        var hi = BinaryPrimitives.ReadUInt64BigEndian(iv);
        var lo = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);
        ref var src = ref MemoryMarshal.GetReference(input);
        ref var dst = ref MemoryMarshal.GetReference(output);
        var length = output.Length;
        nuint offset = 0;

        // 8 blocks at a time: AESENC has ~4-cycle latency and 1-2/cycle throughput, so independent blocks pipeline.
        while (length - (int)offset >= 8 * BlockSize)
        {
            var b0 = NextCounter(ref hi, ref lo);
            var b1 = NextCounter(ref hi, ref lo);
            var b2 = NextCounter(ref hi, ref lo);
            var b3 = NextCounter(ref hi, ref lo);
            var b4 = NextCounter(ref hi, ref lo);
            var b5 = NextCounter(ref hi, ref lo);
            var b6 = NextCounter(ref hi, ref lo);
            var b7 = NextCounter(ref hi, ref lo);

            var k = rk[0];
            b0 ^= k; b1 ^= k; b2 ^= k; b3 ^= k; b4 ^= k; b5 ^= k; b6 ^= k; b7 ^= k;
            for (var r = 1; r < Rounds; r++)
            {
                k = rk[r];
                b0 = AesNi.Encrypt(b0, k);
                b1 = AesNi.Encrypt(b1, k);
                b2 = AesNi.Encrypt(b2, k);
                b3 = AesNi.Encrypt(b3, k);
                b4 = AesNi.Encrypt(b4, k);
                b5 = AesNi.Encrypt(b5, k);
                b6 = AesNi.Encrypt(b6, k);
                b7 = AesNi.Encrypt(b7, k);
            }

            k = rk[Rounds];
            b0 = AesNi.EncryptLast(b0, k);
            b1 = AesNi.EncryptLast(b1, k);
            b2 = AesNi.EncryptLast(b2, k);
            b3 = AesNi.EncryptLast(b3, k);
            b4 = AesNi.EncryptLast(b4, k);
            b5 = AesNi.EncryptLast(b5, k);
            b6 = AesNi.EncryptLast(b6, k);
            b7 = AesNi.EncryptLast(b7, k);

            if (xor)
            {
                b0 ^= Vector128.LoadUnsafe(ref src, offset);
                b1 ^= Vector128.LoadUnsafe(ref src, offset + 16);
                b2 ^= Vector128.LoadUnsafe(ref src, offset + 32);
                b3 ^= Vector128.LoadUnsafe(ref src, offset + 48);
                b4 ^= Vector128.LoadUnsafe(ref src, offset + 64);
                b5 ^= Vector128.LoadUnsafe(ref src, offset + 80);
                b6 ^= Vector128.LoadUnsafe(ref src, offset + 96);
                b7 ^= Vector128.LoadUnsafe(ref src, offset + 112);
            }

            b0.StoreUnsafe(ref dst, offset);
            b1.StoreUnsafe(ref dst, offset + 16);
            b2.StoreUnsafe(ref dst, offset + 32);
            b3.StoreUnsafe(ref dst, offset + 48);
            b4.StoreUnsafe(ref dst, offset + 64);
            b5.StoreUnsafe(ref dst, offset + 80);
            b6.StoreUnsafe(ref dst, offset + 96);
            b7.StoreUnsafe(ref dst, offset + 112);
            offset += 8 * BlockSize;
        }

        // Remaining 1..7 blocks (+ partial): 4-way then 1-way.
        while (length - (int)offset >= 4 * BlockSize)
        {
            var b0 = NextCounter(ref hi, ref lo);
            var b1 = NextCounter(ref hi, ref lo);
            var b2 = NextCounter(ref hi, ref lo);
            var b3 = NextCounter(ref hi, ref lo);

            var k = rk[0];
            b0 ^= k; b1 ^= k; b2 ^= k; b3 ^= k;
            for (var r = 1; r < Rounds; r++)
            {
                k = rk[r];
                b0 = AesNi.Encrypt(b0, k);
                b1 = AesNi.Encrypt(b1, k);
                b2 = AesNi.Encrypt(b2, k);
                b3 = AesNi.Encrypt(b3, k);
            }

            k = rk[Rounds];
            b0 = AesNi.EncryptLast(b0, k);
            b1 = AesNi.EncryptLast(b1, k);
            b2 = AesNi.EncryptLast(b2, k);
            b3 = AesNi.EncryptLast(b3, k);

            if (xor)
            {
                b0 ^= Vector128.LoadUnsafe(ref src, offset);
                b1 ^= Vector128.LoadUnsafe(ref src, offset + 16);
                b2 ^= Vector128.LoadUnsafe(ref src, offset + 32);
                b3 ^= Vector128.LoadUnsafe(ref src, offset + 48);
            }

            b0.StoreUnsafe(ref dst, offset);
            b1.StoreUnsafe(ref dst, offset + 16);
            b2.StoreUnsafe(ref dst, offset + 32);
            b3.StoreUnsafe(ref dst, offset + 48);
            offset += 4 * BlockSize;
        }

        Span<byte> last = stackalloc byte[BlockSize];
        while ((int)offset < length)
        {
            var b = EncryptBlock(NextCounter(ref hi, ref lo), ref rk);

            var remaining = length - (int)offset;
            if (remaining >= BlockSize)
            {
                if (xor)
                {
                    b ^= Vector128.LoadUnsafe(ref src, offset);
                }

                b.StoreUnsafe(ref dst, offset);
                offset += BlockSize;
            }
            else
            {
                b.CopyTo(last);
                for (var i = 0; i < remaining; i++)
                {
                    Unsafe.Add(ref dst, offset + (nuint)i) = xor
                        ? (byte)(last[i] ^ Unsafe.Add(ref src, offset + (nuint)i))
                        : last[i];
                }

                CryptographicOperations.ZeroMemory(last);
                offset = (nuint)length;
            }
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)rk));
    }

    /// <summary>Returns counter block (hi, lo) as 16 big-endian bytes and advances the 128-bit counter (mod 2^128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NextCounter(ref ulong hi, ref ulong lo)
    {
        var block = Vector128.Create(BinaryPrimitives.ReverseEndianness(hi), BinaryPrimitives.ReverseEndianness(lo)).AsByte();
        if (++lo == 0)
        {
            hi++;
        }

        return block;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> EncryptBlock(Vector128<byte> b, ref RoundKeys rk)
    {
        b ^= rk[0];
        for (var r = 1; r < Rounds; r++)
        {
            b = AesNi.Encrypt(b, rk[r]);
        }

        return AesNi.EncryptLast(b, rk[Rounds]);
    }

    /// <summary>AES-256 key schedule with AESKEYGENASSIST (Intel AES-NI white paper, §5.2).</summary>
    private static void ExpandKey(ReadOnlySpan<byte> key, ref RoundKeys rk)
    {
        var t1 = Vector128.Create(key);
        var t3 = Vector128.Create(key[16..]);
        rk[0] = t1;
        rk[1] = t3;
        t1 = Assist1(t1, AesNi.KeygenAssist(t3, 0x01)); rk[2] = t1;
        t3 = Assist2(t1, t3); rk[3] = t3;
        t1 = Assist1(t1, AesNi.KeygenAssist(t3, 0x02)); rk[4] = t1;
        t3 = Assist2(t1, t3); rk[5] = t3;
        t1 = Assist1(t1, AesNi.KeygenAssist(t3, 0x04)); rk[6] = t1;
        t3 = Assist2(t1, t3); rk[7] = t3;
        t1 = Assist1(t1, AesNi.KeygenAssist(t3, 0x08)); rk[8] = t1;
        t3 = Assist2(t1, t3); rk[9] = t3;
        t1 = Assist1(t1, AesNi.KeygenAssist(t3, 0x10)); rk[10] = t1;
        t3 = Assist2(t1, t3); rk[11] = t3;
        t1 = Assist1(t1, AesNi.KeygenAssist(t3, 0x20)); rk[12] = t1;
        t3 = Assist2(t1, t3); rk[13] = t3;
        t1 = Assist1(t1, AesNi.KeygenAssist(t3, 0x40)); rk[14] = t1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Assist1(Vector128<byte> t1, Vector128<byte> t2)
    {
        t2 = Sse2.Shuffle(t2.AsUInt32(), 0xff).AsByte();
        var t4 = Sse2.ShiftLeftLogical128BitLane(t1, 4);
        t1 ^= t4;
        t4 = Sse2.ShiftLeftLogical128BitLane(t4, 4);
        t1 ^= t4;
        t4 = Sse2.ShiftLeftLogical128BitLane(t4, 4);
        t1 ^= t4;
        return t1 ^ t2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Assist2(Vector128<byte> t1, Vector128<byte> t3)
    {
        var t2 = Sse2.Shuffle(AesNi.KeygenAssist(t1, 0x00).AsUInt32(), 0xaa).AsByte();
        var t4 = Sse2.ShiftLeftLogical128BitLane(t3, 4);
        t3 ^= t4;
        t4 = Sse2.ShiftLeftLogical128BitLane(t4, 4);
        t3 ^= t4;
        t4 = Sse2.ShiftLeftLogical128BitLane(t4, 4);
        t3 ^= t4;
        return t3 ^ t2;
    }

    // ---------------------------------------------------------------- Portable fallback

    [ThreadStatic]
    private static System.Security.Cryptography.Aes? t_aes;

    private static void CoreFallback(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, bool xor)
    {
        if (output.IsEmpty)
        {
            return;
        }

        var aes = t_aes ??= System.Security.Cryptography.Aes.Create();
        aes.SetKey(key);

        const int ChunkBlocks = 16;
        Span<byte> counters = stackalloc byte[ChunkBlocks * BlockSize];
        Span<byte> stream = stackalloc byte[ChunkBlocks * BlockSize];
        var hi = BinaryPrimitives.ReadUInt64BigEndian(iv);
        var lo = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);

        for (var offset = 0; offset < output.Length; offset += counters.Length)
        {
            var take = Math.Min(counters.Length, output.Length - offset);
            var blocks = (take + BlockSize - 1) / BlockSize;
            for (var i = 0; i < blocks; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(counters[(i * BlockSize)..], hi);
                BinaryPrimitives.WriteUInt64BigEndian(counters[((i * BlockSize) + 8)..], lo);
                if (++lo == 0)
                {
                    hi++;
                }
            }

            aes.EncryptEcb(counters[..(blocks * BlockSize)], stream, PaddingMode.None);
            var dst = output.Slice(offset, take);
            if (xor)
            {
                var src = input.Slice(offset, take);
                for (var i = 0; i < take; i++)
                {
                    dst[i] = (byte)(stream[i] ^ src[i]);
                }
            }
            else
            {
                stream[..take].CopyTo(dst);
            }
        }

        CryptographicOperations.ZeroMemory(stream);
    }
}
