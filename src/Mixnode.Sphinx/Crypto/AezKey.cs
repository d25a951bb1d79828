using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Mixnode.Sphinx.Crypto;

/// <summary>Eight blocks inline, so per-call key tables live on the stack.</summary>
[InlineArray(8)]
internal struct AezBlocks8
{
    private Vector128<byte> _element0;
}

/// <summary>
/// The extracted AEZ key (I, J, L) plus the multiples k·L (k = 0..7) that every E(j, i) offset uses.
/// Lives on the caller's stack; callers wipe it with <see cref="Clear"/> when done.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct AezKey
{
    /// <summary>The Katzenpost profile's key length: used as is, no hashing.</summary>
    public const int RawSize = 48;

    public Vector128<byte> I;
    public Vector128<byte> J;
    public Vector128<byte> L;

    /// <summary>k·L for k = 0..7: the (i mod 8)·L term of E(j, i).</summary>
    public AezBlocks8 LMultiples;

    /// <summary>Extract(K): a 48-byte key is split as is, any other length is hashed with BLAKE2b-384 first.</summary>
    public static void Extract(ReadOnlySpan<byte> key, out AezKey result)
    {
        if (key.Length == RawSize)
        {
            FromRaw(key, out result);
            return;
        }

        Span<byte> extracted = stackalloc byte[RawSize];
        Blake2b384.Instance.Hash(key, extracted);
        FromRaw(extracted, out result);
        CryptographicOperations.ZeroMemory(extracted);
    }

    /// <summary>Splits 48 bytes into I, J, L and precomputes the L multiples.</summary>
    public static void FromRaw(ReadOnlySpan<byte> raw, out AezKey result)
    {
        if (raw.Length != RawSize)
        {
            throw new ArgumentException("an extracted AEZ key is 48 bytes", nameof(raw));
        }

        result = default;
        result.I = AezBlock.Load(raw);
        result.J = AezBlock.Load(raw.Slice(16));
        Vector128<byte> l = AezBlock.Load(raw.Slice(32));
        result.L = l;
        Vector128<byte> l2 = AezBlock.Double(l);
        Vector128<byte> l4 = AezBlock.Double(l2);
        ref AezBlocks8 m = ref result.LMultiples;
        m[0] = Vector128<byte>.Zero;
        m[1] = l;
        m[2] = l2;
        m[3] = l2 ^ l;
        m[4] = l4;
        m[5] = l4 ^ l;
        m[6] = l4 ^ l2;
        m[7] = l4 ^ l2 ^ l;
    }

    /// <summary>
    /// BLAKE2b with a 48-byte digest in its parameter block (BLAKE2b-384), not BLAKE2b-512 truncated. In its own class
    /// so the profile path (48-byte keys) never initialises NSec/libsodium.
    /// </summary>
    private static class Blake2b384
    {
        public static readonly Blake2b Instance = new(RawSize);
    }

    /// <summary>Wipes the key from the stack; ZeroMemory is never optimised away.</summary>
    public static void Clear(ref AezKey key) =>
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref key, 1)));
}
