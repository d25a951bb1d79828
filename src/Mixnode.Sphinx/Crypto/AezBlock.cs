using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mixnode.Sphinx.Crypto;

/// <summary>16-byte block arithmetic for AEZ: GF(2^128) doubling and small multiples, 10* padding, loads and stores.</summary>
internal static class AezBlock
{
    public const int Size = 16;

    /// <summary>
    /// Doubling in GF(2^128) with the block read as a big-endian integer (CMAC/OCB "dbl", not GCM's reflected order):
    /// shift left by one and fold the carry back in as 0x87 in the last byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Double(Vector128<byte> x)
    {
        Vector128<ulong> words = x.AsUInt64();
        ulong hi = BinaryPrimitives.ReverseEndianness(words.GetElement(0));
        ulong lo = BinaryPrimitives.ReverseEndianness(words.GetElement(1));
        ulong carryMask = 0UL - (hi >> 63); // branch-free: key blocks are secret
        hi = (hi << 1) | (lo >> 63);
        lo = (lo << 1) ^ (0x87UL & carryMask);
        return Vector128.Create(BinaryPrimitives.ReverseEndianness(hi), BinaryPrimitives.ReverseEndianness(lo)).AsByte();
    }

    /// <summary>n·X as a polynomial product (n's binary digits, Horner's rule with doubling), not n-fold XOR.</summary>
    public static Vector128<byte> Multiply(long n, Vector128<byte> x)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Vector128<byte> acc = Vector128<byte>.Zero;
        for (int bit = 63 - (int)long.LeadingZeroCount(n); bit >= 0; bit--)
        {
            acc = Double(acc);
            if (((n >> bit) & 1) != 0)
            {
                acc ^= x;
            }
        }

        return acc;
    }

    /// <summary>2^k·X: k successive doublings.</summary>
    public static Vector128<byte> DoubleTimes(Vector128<byte> x, long k)
    {
        for (long n = 0; n < k; n++)
        {
            x = Double(x);
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Load(ReadOnlySpan<byte> source) =>
        Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(source.Slice(0, Size)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Load(ref byte source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<byte> value, ref byte destination, nuint offset) =>
        value.StoreUnsafe(ref destination, offset);

    /// <summary>pad(X) = X ‖ 0x80 ‖ 0* for |X| &lt; 16; a 16-byte X is loaded as is.</summary>
    public static Vector128<byte> LoadPadded(ReadOnlySpan<byte> source)
    {
        if (source.Length == Size)
        {
            return Load(source);
        }

        Span<byte> buffer = stackalloc byte[Size];
        buffer.Clear();
        source.CopyTo(buffer);
        buffer[source.Length] = 0x80;
        return Load(buffer);
    }

    /// <summary>Applies 10* padding after the first <paramref name="length"/> (&lt; 16) bytes, discarding the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Pad(Vector128<byte> value, int length)
    {
        Vector128<byte> indices = Vector128<byte>.Indices;
        Vector128<byte> at = Vector128.Create((byte)length);
        return (value & Vector128.LessThan(indices, at)) | (Vector128.Equals(indices, at) & Vector128.Create((byte)0x80));
    }

    /// <summary>Writes the first destination.Length (≤ 16) bytes of the block.</summary>
    public static void StorePartial(Vector128<byte> value, Span<byte> destination)
    {
        Span<byte> buffer = stackalloc byte[Size];
        value.CopyTo(buffer);
        buffer.Slice(0, destination.Length).CopyTo(destination);
    }
}
