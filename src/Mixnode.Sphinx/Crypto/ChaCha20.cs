using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// ChaCha20 keystream (DJB / RFC 8439). Fast path: one block per four Vector128 rows (diagonal rounds via lane
/// shuffles); portable scalar path otherwise (and for big-endian hosts). Allocation-free.
/// </summary>
[SkipLocalsInit]
public static class ChaCha20
{
    public const int KeySize = 32;
    public const int BlockSize = 64;

    private const uint Sigma0 = 0x61707865; // "expa"
    private const uint Sigma1 = 0x3320646e; // "nd 3"
    private const uint Sigma2 = 0x79622d32; // "2-by"
    private const uint Sigma3 = 0x6b206574; // "te k"

    internal static bool UsesVector128 => Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian;

    /// <summary>
    /// Keystream. nonce 8 bytes = original DJB variant (64-bit block counter), 12 bytes = RFC 8439 (32-bit counter).
    /// counter = starting block number. With a 12-byte nonce the blocks used must fit the 32-bit counter
    /// (ArgumentException otherwise); with an 8-byte nonce the 64-bit counter wraps modulo 2^64.
    /// </summary>
    public static void Keystream(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ulong counter, Span<byte> output)
    {
        Validate(key, nonce, counter, output);
        if (UsesVector128)
        {
            KeystreamVector128(key, nonce, counter, output);
        }
        else
        {
            KeystreamScalar(key, nonce, counter, output);
        }
    }

    internal static void Validate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ulong counter, Span<byte> output)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"ChaCha20 key must be {KeySize} bytes.", nameof(key));
        }

        if (nonce.Length == 12)
        {
            var blocks = ((ulong)output.Length + BlockSize - 1) / BlockSize;
            if (counter > uint.MaxValue || (blocks != 0 && counter + blocks - 1 > uint.MaxValue))
            {
                throw new ArgumentException("ChaCha20 (RFC 8439) keystream would overflow the 32-bit block counter.", nameof(counter));
            }
        }
        else if (nonce.Length != 8)
        {
            throw new ArgumentException("ChaCha20 nonce must be 8 (DJB) or 12 (RFC 8439) bytes.", nameof(nonce));
        }
    }

    /// <summary>Words 12..15 for block <paramref name="counter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (uint W12, uint W13, uint W14, uint W15) CounterNonce(ReadOnlySpan<byte> nonce, ulong counter) =>
        nonce.Length == 8
            ? ((uint)counter, (uint)(counter >> 32),
                BinaryPrimitives.ReadUInt32LittleEndian(nonce), BinaryPrimitives.ReadUInt32LittleEndian(nonce[4..]))
            : ((uint)counter, BinaryPrimitives.ReadUInt32LittleEndian(nonce),
                BinaryPrimitives.ReadUInt32LittleEndian(nonce[4..]), BinaryPrimitives.ReadUInt32LittleEndian(nonce[8..]));

    internal static void KeystreamVector128(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ulong counter, Span<byte> output)
    {
        // The input state lives in an explicit stack struct (not locals the JIT may spill anywhere) so it can be wiped.
        Unsafe.SkipInit(out Rows state);
        state[0] = Vector128.Create(Sigma0, Sigma1, Sigma2, Sigma3);
        state[1] = Vector128.Create<byte>(key).AsUInt32();
        state[2] = Vector128.Create<byte>(key[16..]).AsUInt32();
        var (w12, w13, w14, w15) = CounterNonce(nonce, counter);
        state[3] = Vector128.Create(w12, w13, w14, w15);
        var djb = nonce.Length == 8;

        ref var dst = ref MemoryMarshal.GetReference(output);
        Span<byte> last = stackalloc byte[BlockSize];
        var offset = 0;
        while (offset < output.Length)
        {
            var x0 = state[0];
            var x1 = state[1];
            var x2 = state[2];
            var x3 = state[3];
            for (var i = 0; i < 10; i++)
            {
                // Column round.
                x0 += x1; x3 = Rotl16(x3 ^ x0);
                x2 += x3; x1 = Rotl12(x1 ^ x2);
                x0 += x1; x3 = Rotl8(x3 ^ x0);
                x2 += x3; x1 = Rotl7(x1 ^ x2);

                // Diagonalise: rotate rows 1..3 left by 1, 2, 3 lanes.
                x1 = Vector128.Shuffle(x1, Vector128.Create(1u, 2, 3, 0));
                x2 = Vector128.Shuffle(x2, Vector128.Create(2u, 3, 0, 1));
                x3 = Vector128.Shuffle(x3, Vector128.Create(3u, 0, 1, 2));

                // Diagonal round.
                x0 += x1; x3 = Rotl16(x3 ^ x0);
                x2 += x3; x1 = Rotl12(x1 ^ x2);
                x0 += x1; x3 = Rotl8(x3 ^ x0);
                x2 += x3; x1 = Rotl7(x1 ^ x2);

                x1 = Vector128.Shuffle(x1, Vector128.Create(3u, 0, 1, 2));
                x2 = Vector128.Shuffle(x2, Vector128.Create(2u, 3, 0, 1));
                x3 = Vector128.Shuffle(x3, Vector128.Create(1u, 2, 3, 0));
            }

            x0 += state[0];
            x1 += state[1];
            x2 += state[2];
            x3 += state[3];

            var remaining = output.Length - offset;
            if (remaining >= BlockSize)
            {
                x0.AsByte().StoreUnsafe(ref dst, (nuint)offset);
                x1.AsByte().StoreUnsafe(ref dst, (nuint)offset + 16);
                x2.AsByte().StoreUnsafe(ref dst, (nuint)offset + 32);
                x3.AsByte().StoreUnsafe(ref dst, (nuint)offset + 48);
                offset += BlockSize;
            }
            else
            {
                x0.AsByte().CopyTo(last);
                x1.AsByte().CopyTo(last[16..]);
                x2.AsByte().CopyTo(last[32..]);
                x3.AsByte().CopyTo(last[48..]);
                last[..remaining].CopyTo(output[offset..]);
                CryptographicOperations.ZeroMemory(last);
                offset = output.Length;
            }

            // Next block: bump word 12, carrying into word 13 for the 64-bit DJB counter.
            counter++;
            state[3] = djb
                ? Vector128.Create((uint)counter, (uint)(counter >> 32), w14, w15)
                : state[3].WithElement(0, (uint)counter);
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<uint>>)state));
    }

    [InlineArray(4)]
    private struct Rows
    {
        private Vector128<uint> _element;
    }

    // Rotations by literal constants: a [ConstantExpected] parameter threaded through a helper is not reliably a
    // JIT-time constant, and a non-constant Avx512F.VL.RotateLeft count falls back to a slow path.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotl16(Vector128<uint> v)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateLeft(v, 16);
        }

        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(v.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();
        }

        return Vector128.ShiftLeft(v, 16) | Vector128.ShiftRightLogical(v, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotl12(Vector128<uint> v) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(v, 12) : Vector128.ShiftLeft(v, 12) | Vector128.ShiftRightLogical(v, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotl8(Vector128<uint> v)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateLeft(v, 8);
        }

        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(v.AsByte(), Vector128.Create((byte)3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14)).AsUInt32();
        }

        return Vector128.ShiftLeft(v, 8) | Vector128.ShiftRightLogical(v, 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotl7(Vector128<uint> v) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(v, 7) : Vector128.ShiftLeft(v, 7) | Vector128.ShiftRightLogical(v, 25);

    [InlineArray(16)]
    private struct Block
    {
        private uint _element;
    }

    internal static void KeystreamScalar(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ulong counter, Span<byte> output)
    {
        Block state = default;
        state[0] = Sigma0;
        state[1] = Sigma1;
        state[2] = Sigma2;
        state[3] = Sigma3;
        for (var i = 0; i < 8; i++)
        {
            state[4 + i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
        }

        var (_, w13, w14, w15) = CounterNonce(nonce, counter);
        state[13] = w13;
        state[14] = w14;
        state[15] = w15;
        var djb = nonce.Length == 8;

        Block x = default;
        Span<byte> block = stackalloc byte[BlockSize];
        var offset = 0;
        while (offset < output.Length)
        {
            state[12] = (uint)counter;
            if (djb)
            {
                state[13] = (uint)(counter >> 32);
            }

            x = state;
            for (var i = 0; i < 10; i++)
            {
                QuarterRound(ref x[0], ref x[4], ref x[8], ref x[12]);
                QuarterRound(ref x[1], ref x[5], ref x[9], ref x[13]);
                QuarterRound(ref x[2], ref x[6], ref x[10], ref x[14]);
                QuarterRound(ref x[3], ref x[7], ref x[11], ref x[15]);
                QuarterRound(ref x[0], ref x[5], ref x[10], ref x[15]);
                QuarterRound(ref x[1], ref x[6], ref x[11], ref x[12]);
                QuarterRound(ref x[2], ref x[7], ref x[8], ref x[13]);
                QuarterRound(ref x[3], ref x[4], ref x[9], ref x[14]);
            }

            for (var i = 0; i < 16; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(block[(4 * i)..], x[i] + state[i]);
            }

            var take = Math.Min(BlockSize, output.Length - offset);
            block[..take].CopyTo(output[offset..]);
            offset += take;
            counter++;
        }

        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<uint>)state));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<uint>)x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuarterRound(ref uint a, ref uint b, ref uint c, ref uint d)
    {
        a += b;
        d = BitOperations.RotateLeft(d ^ a, 16);
        c += d;
        b = BitOperations.RotateLeft(b ^ c, 12);
        a += b;
        d = BitOperations.RotateLeft(d ^ a, 8);
        c += d;
        b = BitOperations.RotateLeft(b ^ c, 7);
    }
}
