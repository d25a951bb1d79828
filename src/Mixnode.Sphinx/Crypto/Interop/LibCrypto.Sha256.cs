using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mixnode.Sphinx.Crypto.Interop;

/// <summary>
/// OpenSSL's low-level SHA-256 API (SHA256_Init/Update/Final). Deprecated in OpenSSL 3.0 but still exported,
/// and far cheaper per call than EVP (no context allocation, no provider lookup) while still using SHA-NI.
/// The calls are short and never block, so the GC transition is suppressed.
/// </summary>
internal static partial class LibCrypto
{
    /// <summary>True when libcrypto and the three SHA-256 symbols can be resolved. Decided once.</summary>
    internal static readonly bool Sha256Available = ProbeSha256();

    private static bool ProbeSha256()
    {
        try
        {
            if (!NativeLibrary.TryLoad(Name, typeof(LibCrypto).Assembly, null, out var handle))
            {
                return false;
            }

            if (!NativeLibrary.TryGetExport(handle, "SHA256_Init", out _)
                || !NativeLibrary.TryGetExport(handle, "SHA256_Update", out _)
                || !NativeLibrary.TryGetExport(handle, "SHA256_Final", out _))
            {
                return false;
            }

            // Smoke-test the struct layout against a known digest before trusting it.
            Span<byte> digest = stackalloc byte[32];
            Sha256Ctx ctx = default;
            unsafe
            {
                byte* abc = stackalloc byte[] { (byte)'a', (byte)'b', (byte)'c' };
                fixed (byte* d = digest)
                {
                    if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, abc, 3) != 1 || SHA256_Final(d, &ctx) != 1)
                    {
                        return false;
                    }
                }
            }

            ReadOnlySpan<byte> expected =
            [
                0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
            ];
            return digest.SequenceEqual(expected);
        }
#pragma warning disable CA1031 // Any failure to bind means "use the managed fallback".
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    [LibraryImport(Name, EntryPoint = "SHA256_Init")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static unsafe partial int SHA256_Init(Sha256Ctx* ctx);

    [LibraryImport(Name, EntryPoint = "SHA256_Update")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static unsafe partial int SHA256_Update(Sha256Ctx* ctx, byte* data, nuint length);

    [LibraryImport(Name, EntryPoint = "SHA256_Final")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static unsafe partial int SHA256_Final(byte* digest, Sha256Ctx* ctx);
}

/// <summary>OpenSSL's <c>SHA256_CTX</c> (openssl/sha.h): h[8], Nl, Nh, data[16], num, md_len; 112 bytes, blittable.</summary>
[StructLayout(LayoutKind.Sequential, Size = 112)]
internal unsafe struct Sha256Ctx
{
    public fixed uint H[8];
    public uint Nl;
    public uint Nh;
    public fixed uint Data[16];
    public uint Num;
    public uint MdLen;
}
