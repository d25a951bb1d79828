using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// AEZ v5 over one AES-round backend. Split by stage: this file has AES4/AES10 and the tweakable block cipher
/// E(j, i); AezHash.cs, AezTiny.cs, AezCore.cs and AezMode.cs hold the rest. Generic over a struct so the
/// JIT emits one specialised copy per backend with the round inlined.
/// </summary>
internal static partial class AezEngine<TRound>
    where TRound : struct, IAezRound
{
    /// <summary>AES4: four full rounds with round keys J, I, L, 0 (no whitening key: the tweak offset plays that role).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Aes4(Vector128<byte> x, Vector128<byte> i, Vector128<byte> j, Vector128<byte> l) =>
        TRound.Round(TRound.Round(TRound.Round(TRound.Round(x, j), i), l), Vector128<byte>.Zero);

    /// <summary>AES10: ten full rounds with round keys I, J, L, I, J, L, I, J, L, I.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Aes10(Vector128<byte> x, Vector128<byte> i, Vector128<byte> j, Vector128<byte> l)
    {
        x = TRound.Round(x, i);
        x = TRound.Round(x, j);
        x = TRound.Round(x, l);
        x = TRound.Round(x, i);
        x = TRound.Round(x, j);
        x = TRound.Round(x, l);
        x = TRound.Round(x, i);
        x = TRound.Round(x, j);
        x = TRound.Round(x, l);
        return TRound.Round(x, i);
    }

    /// <summary>
    /// The tweakable block cipher E(j, i): AES10(X ⊕ i·L) for j = −1, else AES4(X ⊕ j·J ⊕ 2^⌈i/8⌉·I ⊕ (i mod 8)·L).
    /// General form for vectors and the non-hot paths; the bulk loops inline their offsets.
    /// </summary>
    internal static Vector128<byte> E(in AezKey key, int j, long i, Vector128<byte> x)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(j, -1);
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        if (j == -1)
        {
            // Full product i·L, as the reference computes it (AEZ only uses i = 1..5 here).
            return Aes10(x ^ AezBlock.Multiply(i, key.L), key.I, key.J, key.L);
        }

        Vector128<byte> offset = AezBlock.Multiply(j, key.J)
            ^ AezBlock.DoubleTimes(key.I, (i + 7) / 8)
            ^ key.LMultiples[(int)(i & 7)];
        return Aes4(x ^ offset, key.I, key.J, key.L);
    }

    /// <summary>E(0, i) for i = 1..7, as used by AEZ-tiny and the core's fragment and x/y blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> E0(in AezKey key, Vector128<byte> twoI, int i, Vector128<byte> x) =>
        Aes4(x ^ twoI ^ key.LMultiples[i], key.I, key.J, key.L);

    /// <summary>E(−1, i) for i = 1..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> EMinus1(in AezKey key, int i, Vector128<byte> x) =>
        Aes10(x ^ key.LMultiples[i], key.I, key.J, key.L);
}
