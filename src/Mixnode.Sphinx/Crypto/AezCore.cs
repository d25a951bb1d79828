using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// AEZ-core for messages of 32 bytes or more: two passes over 32-byte pairs around a short serial middle.
/// Pass 1 leaves W_i ‖ X_i in the output where pair i will go, and pass 2 turns them into C_i ‖ C'_i, so the
/// caller's buffer is the only working memory. Each pass works on 8 independent pairs at a time to keep the
/// AES unit busy; 8 pairs also share one 2^⌈i/8⌉·I offset.
/// </summary>
internal static partial class AezEngine<TRound>
{
    private const int PairSize = 32;
    private const int Lanes = 8;

    /// <summary>
    /// Enciphers (decipher = false, d = 0) or deciphers (d = 1) input into output. The spans must be the same length
    /// and either the same memory or disjoint: every region is read before the same region is written, and a pair is
    /// never written before it is read, so in place is safe.
    /// </summary>
    internal static void Core(in AezKey key, Vector128<byte> delta, ReadOnlySpan<byte> input, Span<byte> output, bool decipher)
    {
        int n = input.Length;
        int pairs = (n - PairSize) / PairSize;
        int fragmentStart = pairs * PairSize;
        int xyStart = n - PairSize;
        int f = xyStart - fragmentStart;
        int d = decipher ? 1 : 0;

        Vector128<byte> twoI = AezBlock.Double(key.I);
        ref byte src = ref MemoryMarshal.GetReference(input);
        ref byte dst = ref MemoryMarshal.GetReference(output);

        Vector128<byte> x = Pass1(in key, ref src, ref dst, pairs);

        // Read all the tail input (fragment, M_x, M_y) now: pass 2 and the finish overwrite it when in place.
        Vector128<byte> mu = default, mv = default;
        if (f >= AezBlock.Size)
        {
            mu = AezBlock.Load(input.Slice(fragmentStart));
            mv = AezBlock.LoadPadded(input.Slice(fragmentStart + AezBlock.Size, f - AezBlock.Size));
            x ^= E0(in key, twoI, 4, mu) ^ E0(in key, twoI, 5, mv);
        }
        else if (f > 0)
        {
            mu = AezBlock.LoadPadded(input.Slice(fragmentStart, f));
            x ^= E0(in key, twoI, 4, mu);
        }

        Vector128<byte> mx = AezBlock.Load(ref src, (nuint)xyStart);
        Vector128<byte> my = AezBlock.Load(ref src, (nuint)xyStart + AezBlock.Size);

        Vector128<byte> sx = mx ^ delta ^ x ^ E0(in key, twoI, 1 + d, my);
        Vector128<byte> sy = my ^ EMinus1(in key, 1 + d, sx);
        Vector128<byte> s = sx ^ sy;

        Vector128<byte> y = Pass2(in key, ref dst, pairs, s);

        if (f >= AezBlock.Size)
        {
            Vector128<byte> cu = mu ^ EMinus1(in key, 4, s);
            Vector128<byte> cv = mv ^ EMinus1(in key, 5, s);
            AezBlock.Store(cu, ref dst, (nuint)fragmentStart);
            AezBlock.StorePartial(cv, output.Slice(fragmentStart + AezBlock.Size, f - AezBlock.Size));
            y ^= E0(in key, twoI, 4, cu) ^ E0(in key, twoI, 5, AezBlock.Pad(cv, f - AezBlock.Size));
        }
        else if (f > 0)
        {
            Vector128<byte> cu = mu ^ EMinus1(in key, 4, s);
            AezBlock.StorePartial(cu, output.Slice(fragmentStart, f));
            y ^= E0(in key, twoI, 4, AezBlock.Pad(cu, f));
        }

        Vector128<byte> cy = sx ^ EMinus1(in key, 2 - d, sy);
        Vector128<byte> cx = sy ^ delta ^ y ^ E0(in key, twoI, 2 - d, cy);
        AezBlock.Store(cx, ref dst, (nuint)xyStart);
        AezBlock.Store(cy, ref dst, (nuint)xyStart + AezBlock.Size);
    }

    /// <summary>
    /// Pass 1: W_i = M_i ⊕ E(1,i)(M'_i), X_i = M'_i ⊕ E(0,0)(W_i); stores W_i ‖ X_i over pair i and returns ⊕ X_i.
    /// </summary>
    private static Vector128<byte> Pass1(in AezKey key, ref byte src, ref byte dst, int pairs)
    {
        Vector128<byte> i = key.I, j = key.J, l = key.L;
        Vector128<byte> iOffset = AezBlock.Double(i); // 2^⌈p/8⌉·I for pairs p of the current group of 8
        Vector128<byte> l1 = key.LMultiples[1], l2 = key.LMultiples[2], l3 = key.LMultiples[3], l4 = key.LMultiples[4];
        Vector128<byte> l5 = key.LMultiples[5], l6 = key.LMultiples[6], l7 = key.LMultiples[7];
        Vector128<byte> sum = Vector128<byte>.Zero;
        int p = 0;
        for (; p + Lanes <= pairs; p += Lanes)
        {
            nuint o = (nuint)p * PairSize;
            Vector128<byte> t = j ^ iOffset; // E(1, ·) offset without the L term; pair 8 of the group has 0·L
            Vector128<byte> a0 = AezBlock.Load(ref src, o + 16) ^ t ^ l1;
            Vector128<byte> a1 = AezBlock.Load(ref src, o + 48) ^ t ^ l2;
            Vector128<byte> a2 = AezBlock.Load(ref src, o + 80) ^ t ^ l3;
            Vector128<byte> a3 = AezBlock.Load(ref src, o + 112) ^ t ^ l4;
            Vector128<byte> a4 = AezBlock.Load(ref src, o + 144) ^ t ^ l5;
            Vector128<byte> a5 = AezBlock.Load(ref src, o + 176) ^ t ^ l6;
            Vector128<byte> a6 = AezBlock.Load(ref src, o + 208) ^ t ^ l7;
            Vector128<byte> a7 = AezBlock.Load(ref src, o + 240) ^ t;
            Aes4x8(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, i, j, l);

            // W_k, stored over M_k (already read); then E(0,0)(W) = AES4(W ⊕ I).
            a0 ^= AezBlock.Load(ref src, o);
            a1 ^= AezBlock.Load(ref src, o + 32);
            a2 ^= AezBlock.Load(ref src, o + 64);
            a3 ^= AezBlock.Load(ref src, o + 96);
            a4 ^= AezBlock.Load(ref src, o + 128);
            a5 ^= AezBlock.Load(ref src, o + 160);
            a6 ^= AezBlock.Load(ref src, o + 192);
            a7 ^= AezBlock.Load(ref src, o + 224);
            AezBlock.Store(a0, ref dst, o);
            AezBlock.Store(a1, ref dst, o + 32);
            AezBlock.Store(a2, ref dst, o + 64);
            AezBlock.Store(a3, ref dst, o + 96);
            AezBlock.Store(a4, ref dst, o + 128);
            AezBlock.Store(a5, ref dst, o + 160);
            AezBlock.Store(a6, ref dst, o + 192);
            AezBlock.Store(a7, ref dst, o + 224);
            a0 ^= i;
            a1 ^= i;
            a2 ^= i;
            a3 ^= i;
            a4 ^= i;
            a5 ^= i;
            a6 ^= i;
            a7 ^= i;
            Aes4x8(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, i, j, l);

            // X_k = M'_k ⊕ E(0,0)(W_k), stored over M'_k (read again just above the store).
            a0 ^= AezBlock.Load(ref src, o + 16);
            a1 ^= AezBlock.Load(ref src, o + 48);
            a2 ^= AezBlock.Load(ref src, o + 80);
            a3 ^= AezBlock.Load(ref src, o + 112);
            a4 ^= AezBlock.Load(ref src, o + 144);
            a5 ^= AezBlock.Load(ref src, o + 176);
            a6 ^= AezBlock.Load(ref src, o + 208);
            a7 ^= AezBlock.Load(ref src, o + 240);
            AezBlock.Store(a0, ref dst, o + 16);
            AezBlock.Store(a1, ref dst, o + 48);
            AezBlock.Store(a2, ref dst, o + 80);
            AezBlock.Store(a3, ref dst, o + 112);
            AezBlock.Store(a4, ref dst, o + 144);
            AezBlock.Store(a5, ref dst, o + 176);
            AezBlock.Store(a6, ref dst, o + 208);
            AezBlock.Store(a7, ref dst, o + 240);
            sum ^= (a0 ^ a1) ^ (a2 ^ a3) ^ (a4 ^ a5) ^ (a6 ^ a7);
            iOffset = AezBlock.Double(iOffset);
        }

        // Fewer than 8 pairs left: all in the current group, so iOffset stays; pair k of the group uses k·L.
        for (int k = 1; p < pairs; p++, k++)
        {
            nuint o = (nuint)p * PairSize;
            Vector128<byte> mPrime = AezBlock.Load(ref src, o + 16);
            Vector128<byte> w = AezBlock.Load(ref src, o) ^ Aes4(mPrime ^ j ^ iOffset ^ key.LMultiples[k], i, j, l);
            Vector128<byte> xk = mPrime ^ Aes4(w ^ i, i, j, l);
            AezBlock.Store(w, ref dst, o);
            AezBlock.Store(xk, ref dst, o + 16);
            sum ^= xk;
        }

        return sum;
    }

    /// <summary>
    /// Pass 2 over the W_i ‖ X_i left by pass 1: S'_i = E(2,i)(S), Y_i = W_i ⊕ S'_i, Z_i = X_i ⊕ S'_i,
    /// C'_i = Y_i ⊕ E(0,0)(Z_i), C_i = Z_i ⊕ E(1,i)(C'_i); stores C_i ‖ C'_i and returns ⊕ Y_i.
    /// </summary>
    private static Vector128<byte> Pass2(in AezKey key, ref byte dst, int pairs, Vector128<byte> s)
    {
        Vector128<byte> i = key.I, j = key.J, l = key.L;
        Vector128<byte> j2 = AezBlock.Double(j);
        Vector128<byte> iOffset = AezBlock.Double(i);
        Vector128<byte> l1 = key.LMultiples[1], l2 = key.LMultiples[2], l3 = key.LMultiples[3], l4 = key.LMultiples[4];
        Vector128<byte> l5 = key.LMultiples[5], l6 = key.LMultiples[6], l7 = key.LMultiples[7];
        Vector128<byte> sum = Vector128<byte>.Zero;
        int p = 0;
        for (; p + Lanes <= pairs; p += Lanes)
        {
            nuint o = (nuint)p * PairSize;
            Vector128<byte> t = s ^ j2 ^ iOffset;
            Vector128<byte> a0 = t ^ l1, a1 = t ^ l2, a2 = t ^ l3, a3 = t ^ l4;
            Vector128<byte> a4 = t ^ l5, a5 = t ^ l6, a6 = t ^ l7, a7 = t;
            Aes4x8(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, i, j, l);

            // Y_k = W_k ⊕ S'_k and Z_k = X_k ⊕ S'_k (in a_k); W_k and X_k are read before C_k, C'_k overwrite them.
            Vector128<byte> y0 = AezBlock.Load(ref dst, o) ^ a0;
            Vector128<byte> y1 = AezBlock.Load(ref dst, o + 32) ^ a1;
            Vector128<byte> y2 = AezBlock.Load(ref dst, o + 64) ^ a2;
            Vector128<byte> y3 = AezBlock.Load(ref dst, o + 96) ^ a3;
            Vector128<byte> y4 = AezBlock.Load(ref dst, o + 128) ^ a4;
            Vector128<byte> y5 = AezBlock.Load(ref dst, o + 160) ^ a5;
            Vector128<byte> y6 = AezBlock.Load(ref dst, o + 192) ^ a6;
            Vector128<byte> y7 = AezBlock.Load(ref dst, o + 224) ^ a7;
            sum ^= (y0 ^ y1) ^ (y2 ^ y3) ^ (y4 ^ y5) ^ (y6 ^ y7);
            a0 ^= AezBlock.Load(ref dst, o + 16);
            a1 ^= AezBlock.Load(ref dst, o + 48);
            a2 ^= AezBlock.Load(ref dst, o + 80);
            a3 ^= AezBlock.Load(ref dst, o + 112);
            a4 ^= AezBlock.Load(ref dst, o + 144);
            a5 ^= AezBlock.Load(ref dst, o + 176);
            a6 ^= AezBlock.Load(ref dst, o + 208);
            a7 ^= AezBlock.Load(ref dst, o + 240);

            // C'_k = Y_k ⊕ E(0,0)(Z_k)
            Vector128<byte> b0 = a0 ^ i, b1 = a1 ^ i, b2 = a2 ^ i, b3 = a3 ^ i;
            Vector128<byte> b4 = a4 ^ i, b5 = a5 ^ i, b6 = a6 ^ i, b7 = a7 ^ i;
            Aes4x8(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, i, j, l);
            b0 ^= y0;
            b1 ^= y1;
            b2 ^= y2;
            b3 ^= y3;
            b4 ^= y4;
            b5 ^= y5;
            b6 ^= y6;
            b7 ^= y7;
            AezBlock.Store(b0, ref dst, o + 16);
            AezBlock.Store(b1, ref dst, o + 48);
            AezBlock.Store(b2, ref dst, o + 80);
            AezBlock.Store(b3, ref dst, o + 112);
            AezBlock.Store(b4, ref dst, o + 144);
            AezBlock.Store(b5, ref dst, o + 176);
            AezBlock.Store(b6, ref dst, o + 208);
            AezBlock.Store(b7, ref dst, o + 240);

            // C_k = Z_k ⊕ E(1,k)(C'_k)
            Vector128<byte> u = j ^ iOffset;
            b0 ^= u ^ l1;
            b1 ^= u ^ l2;
            b2 ^= u ^ l3;
            b3 ^= u ^ l4;
            b4 ^= u ^ l5;
            b5 ^= u ^ l6;
            b6 ^= u ^ l7;
            b7 ^= u;
            Aes4x8(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, i, j, l);
            AezBlock.Store(b0 ^ a0, ref dst, o);
            AezBlock.Store(b1 ^ a1, ref dst, o + 32);
            AezBlock.Store(b2 ^ a2, ref dst, o + 64);
            AezBlock.Store(b3 ^ a3, ref dst, o + 96);
            AezBlock.Store(b4 ^ a4, ref dst, o + 128);
            AezBlock.Store(b5 ^ a5, ref dst, o + 160);
            AezBlock.Store(b6 ^ a6, ref dst, o + 192);
            AezBlock.Store(b7 ^ a7, ref dst, o + 224);
            iOffset = AezBlock.Double(iOffset);
        }

        for (int k = 1; p < pairs; p++, k++)
        {
            nuint o = (nuint)p * PairSize;
            Vector128<byte> sPrime = Aes4(s ^ j2 ^ iOffset ^ key.LMultiples[k], i, j, l);
            Vector128<byte> yk = AezBlock.Load(ref dst, o) ^ sPrime;
            Vector128<byte> zk = AezBlock.Load(ref dst, o + 16) ^ sPrime;
            Vector128<byte> cPrime = yk ^ Aes4(zk ^ i, i, j, l);
            Vector128<byte> c = zk ^ Aes4(cPrime ^ j ^ iOffset ^ key.LMultiples[k], i, j, l);
            AezBlock.Store(c, ref dst, o);
            AezBlock.Store(cPrime, ref dst, o + 16);
            sum ^= yk;
        }

        return sum;
    }

    /// <summary>AES4 on eight independent blocks, round by round, so eight AESENCs are in flight at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Aes4x8(
        ref Vector128<byte> b0, ref Vector128<byte> b1, ref Vector128<byte> b2, ref Vector128<byte> b3,
        ref Vector128<byte> b4, ref Vector128<byte> b5, ref Vector128<byte> b6, ref Vector128<byte> b7,
        Vector128<byte> i, Vector128<byte> j, Vector128<byte> l)
    {
        Round8(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, j);
        Round8(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, i);
        Round8(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, l);
        Round8(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, Vector128<byte>.Zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round8(
        ref Vector128<byte> b0, ref Vector128<byte> b1, ref Vector128<byte> b2, ref Vector128<byte> b3,
        ref Vector128<byte> b4, ref Vector128<byte> b5, ref Vector128<byte> b6, ref Vector128<byte> b7,
        Vector128<byte> roundKey)
    {
        b0 = TRound.Round(b0, roundKey);
        b1 = TRound.Round(b1, roundKey);
        b2 = TRound.Round(b2, roundKey);
        b3 = TRound.Round(b3, roundKey);
        b4 = TRound.Round(b4, roundKey);
        b5 = TRound.Round(b5, roundKey);
        b6 = TRound.Round(b6, roundKey);
        b7 = TRound.Round(b7, roundKey);
    }
}
