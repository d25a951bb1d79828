using System.Runtime.Intrinsics;

namespace Mixnode.Sphinx.Crypto;

/// <summary>AEZ-hash (tweak vector → Δ) and AEZ-prf (Δ → tau bytes, used only for empty messages).</summary>
internal static partial class AezEngine<TRound>
{
    /// <summary>
    /// AEZ-hash of T = ([tauBits]_128, nonce, AD_1, …, AD_n). Null or empty <paramref name="associatedData"/>
    /// means no AD elements at all (Go's nil), which is not the same as one empty string.
    /// </summary>
    internal static Vector128<byte> Hash(in AezKey key, ulong tauBits, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData)
    {
        Span<byte> tauBlock = stackalloc byte[AezBlock.Size];
        tauBlock.Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(tauBlock.Slice(8), tauBits);

        Vector128<byte> delta = HashString(in key, 3, tauBlock);
        delta ^= HashString(in key, 4, nonce);
        if (associatedData is not null)
        {
            for (int k = 0; k < associatedData.Count; k++)
            {
                byte[] ad = associatedData[k] ?? throw new ArgumentException($"associated data element {k} is null", nameof(associatedData));
                delta ^= HashString(in key, 5 + k, ad);
            }
        }

        return delta;
    }

    /// <summary>Δ for the Katzenpost profile (tau = 0, 16-byte nonce, no AD): E(3,1)(0^16) ⊕ E(4,1)(N).</summary>
    internal static Vector128<byte> HashProfile(in AezKey key, Vector128<byte> nonce)
    {
        Vector128<byte> i = key.I, j = key.J, l = key.L;
        Vector128<byte> j2 = AezBlock.Double(j);
        Vector128<byte> j4 = AezBlock.Double(j2);
        Vector128<byte> common = AezBlock.Double(i) ^ l; // 2^⌈1/8⌉·I ⊕ 1·L
        return Aes4(j2 ^ j ^ common, i, j, l) ^ Aes4(nonce ^ j4 ^ common, i, j, l);
    }

    /// <summary>Σ E(j, b)(block b) over the full blocks (b from 1), plus E(j, 0)(pad(tail)) for a partial or empty tail.</summary>
    private static Vector128<byte> HashString(in AezKey key, int j, ReadOnlySpan<byte> data)
    {
        Vector128<byte> i = key.I, jKey = key.J, l = key.L;
        Vector128<byte> jJ = AezBlock.Multiply(j, jKey);
        Vector128<byte> iOffset = AezBlock.Double(i);
        Vector128<byte> sum = Vector128<byte>.Zero;
        int fullBlocks = data.Length / AezBlock.Size;
        for (int b = 1; b <= fullBlocks; b++)
        {
            Vector128<byte> block = AezBlock.Load(data.Slice((b - 1) * AezBlock.Size));
            sum ^= Aes4(block ^ jJ ^ iOffset ^ key.LMultiples[b & 7], i, jKey, l);
            if ((b & 7) == 0)
            {
                iOffset = AezBlock.Double(iOffset);
            }
        }

        int tail = data.Length % AezBlock.Size;
        if (tail > 0 || data.Length == 0)
        {
            Vector128<byte> padded = AezBlock.LoadPadded(data.Slice(fullBlocks * AezBlock.Size));
            sum ^= Aes4(padded ^ jJ ^ i, i, jKey, l); // E(j, 0): offset 2^0·I, no L
        }

        return sum;
    }

    /// <summary>AEZ-prf: E(−1,3)(Δ ⊕ [0]_128) ‖ E(−1,3)(Δ ⊕ [1]_128) ‖ …, cut to output.Length (tau) bytes.</summary>
    internal static void Prf(in AezKey key, Vector128<byte> delta, Span<byte> output)
    {
        Span<byte> counter = stackalloc byte[AezBlock.Size];
        counter.Clear();
        ulong n = 0;
        for (int offset = 0; offset < output.Length; offset += AezBlock.Size, n++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(counter.Slice(8), n);
            Vector128<byte> block = EMinus1(in key, 3, delta ^ AezBlock.Load(counter));
            Span<byte> chunk = output.Slice(offset, Math.Min(AezBlock.Size, output.Length - offset));
            AezBlock.StorePartial(block, chunk);
        }
    }
}
