using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace Mixnode.Sphinx.Crypto;

/// <summary>AEZ-tiny: the Feistel network for 1..31-byte messages (halves of 4·m bits, so nibble-aligned for odd m).</summary>
internal static partial class AezEngine<TRound>
{
    // Up to 31 message bytes, plus room to read a 16-byte window at any half's start.
    private const int TinyBufferSize = 48;

    internal static void Tiny(in AezKey key, Vector128<byte> delta, ReadOnlySpan<byte> input, Span<byte> output, bool decipher)
    {
        int m = input.Length;
        int rounds = m switch { 1 => 24, 2 => 16, < 16 => 10, _ => 8 };
        int j = m < 16 ? 7 : 6;
        int h = 4 * m; // bits per half, at most 124, so a half fits a UInt128
        Vector128<byte> twoI = AezBlock.Double(key.I);

        Span<byte> text = stackalloc byte[TinyBufferSize];
        text.Clear();
        input.CopyTo(text); // input is fully read before output is written: in place is safe
        if (decipher && m < 16)
        {
            Fix(in key, twoI, delta, text);
        }

        UInt128 left = ReadBits(text, 0, h);
        UInt128 right = ReadBits(text, h, h);

        Span<byte> block = stackalloc byte[AezBlock.Size];
        UInt128 padBit = UInt128.One << (127 - h); // the 10* bit right after R
        for (int step = 0; step < rounds; step++)
        {
            int c = decipher ? rounds - 1 - step : step;
            UInt128 b = (right << (128 - h)) | padBit | (uint)c; // c < 24: [c]_128 only touches byte 15
            BinaryPrimitives.WriteUInt128BigEndian(block, b);
            Vector128<byte> f = E0(in key, twoI, j, AezBlock.Load(block) ^ delta);
            f.CopyTo(block);
            UInt128 fBits = BinaryPrimitives.ReadUInt128BigEndian(block) >> (128 - h);
            (left, right) = (right, left ^ fBits);
        }

        // The output is R ‖ L (the final swap).
        text.Clear();
        WriteBits(text, 0, h, right);
        WriteBits(text, h, h, left);
        if (!decipher && m < 16)
        {
            Fix(in key, twoI, delta, text);
        }

        text.Slice(0, m).CopyTo(output);
        text.Clear();
        block.Clear();
    }

    /// <summary>The h-bit field starting at bit <paramref name="bitOffset"/> (0 or a multiple of 4), bits big-endian.</summary>
    private static UInt128 ReadBits(ReadOnlySpan<byte> text, int bitOffset, int h)
    {
        UInt128 window = BinaryPrimitives.ReadUInt128BigEndian(text.Slice(bitOffset / 8, AezBlock.Size));
        return (window << (bitOffset % 8)) >> (128 - h);
    }

    /// <summary>ORs an h-bit field in at bit <paramref name="bitOffset"/>; the target bits must be zero.</summary>
    private static void WriteBits(Span<byte> text, int bitOffset, int h, UInt128 field)
    {
        Span<byte> window = text.Slice(bitOffset / 8, AezBlock.Size);
        UInt128 existing = BinaryPrimitives.ReadUInt128BigEndian(window);
        UInt128 placed = (field << (128 - h)) >> (bitOffset % 8);
        BinaryPrimitives.WriteUInt128BigEndian(window, existing | placed);
    }

    /// <summary>
    /// The bit-fix involution for m &lt; 16: flip the first bit of Z when E(0,3)(Δ ⊕ (Z ‖ 0*) with its first bit set)
    /// starts with a 1. Bytes m..15 (m &lt; 16) of <paramref name="text"/> are zero.
    /// </summary>
    private static void Fix(in AezKey key, Vector128<byte> twoI, Vector128<byte> delta, Span<byte> text)
    {
        Vector128<byte> b = AezBlock.Load(text) | Vector128.CreateScalar((byte)0x80);
        Vector128<byte> e = E0(in key, twoI, 3, delta ^ b);
        text[0] ^= (byte)(e.GetElement(0) & 0x80);
    }
}
