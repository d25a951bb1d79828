using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// A table-driven AES encryption round (the classic "T-table" form) for machines without AES-NI.
/// Table lookups are indexed by secret state, so this path is not constant-time with respect to cache
/// timing; it exists for portability and for testing the generic AEZ code, the node runs on AES-NI.
/// </summary>
internal static class AezSoftwareAes
{
    // Column c of the output is T0[s(0,c)] ^ T1[s(1,c+1)] ^ T2[s(2,c+2)] ^ T3[s(3,c+3)] ^ K[c]:
    // ShiftRows is the column offset, SubBytes and MixColumns are folded into the table.
    // With columns read as little-endian uints (byte 4c = row 0 in the low byte), T_r is T0 rotated left by 8r.
    private static readonly uint[] T0 = BuildTable();

    public static Vector128<byte> Round(Vector128<byte> state, Vector128<byte> roundKey)
    {
        Vector128<uint> s = state.AsUInt32();
        uint s0 = s.GetElement(0), s1 = s.GetElement(1), s2 = s.GetElement(2), s3 = s.GetElement(3);
        uint[] t = T0;
        uint c0 = Mix(t, s0, s1, s2, s3);
        uint c1 = Mix(t, s1, s2, s3, s0);
        uint c2 = Mix(t, s2, s3, s0, s1);
        uint c3 = Mix(t, s3, s0, s1, s2);
        return Vector128.Create(c0, c1, c2, c3).AsByte() ^ roundKey;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint[] t, uint a, uint b, uint c, uint d) =>
        t[(byte)a]
        ^ BitOperations.RotateLeft(t[(byte)(b >> 8)], 8)
        ^ BitOperations.RotateLeft(t[(byte)(c >> 16)], 16)
        ^ BitOperations.RotateLeft(t[(byte)(d >> 24)], 24);

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        byte[] sbox = BuildSBox();
        for (int x = 0; x < 256; x++)
        {
            uint s = sbox[x];
            uint s2 = Xtime(s);
            uint s3 = s2 ^ s;
            // MixColumns column (2s, s, s, 3s) for a byte in row 0, rows 0..3 in bytes 0..3.
            table[x] = s2 | (s << 8) | (s << 16) | (s3 << 24);
        }

        return table;
    }

    private static uint Xtime(uint b) => ((b << 1) ^ ((b & 0x80) != 0 ? 0x1bu : 0u)) & 0xff;

    // Derive the S-box (inverse in GF(2^8), then the affine map) rather than paste 256 constants.
    private static byte[] BuildSBox()
    {
        var sbox = new byte[256];
        for (int x = 0; x < 256; x++)
        {
            int inv = 0;
            if (x != 0)
            {
                // x^254 = x^-1 in GF(2^8).
                int result = 1, b = x, e = 254;
                while (e > 0)
                {
                    if ((e & 1) != 0)
                    {
                        result = GfMul(result, b);
                    }

                    b = GfMul(b, b);
                    e >>= 1;
                }

                inv = result;
            }

            int y = inv;
            int affine = y ^ Rotl8(y, 1) ^ Rotl8(y, 2) ^ Rotl8(y, 3) ^ Rotl8(y, 4) ^ 0x63;
            sbox[x] = (byte)affine;
        }

        return sbox;
    }

    private static int Rotl8(int v, int n) => ((v << n) | (v >> (8 - n))) & 0xff;

    private static int GfMul(int a, int b)
    {
        int p = 0;
        while (b != 0)
        {
            if ((b & 1) != 0)
            {
                p ^= a;
            }

            a = (int)Xtime((uint)a);
            b >>= 1;
        }

        return p;
    }
}
