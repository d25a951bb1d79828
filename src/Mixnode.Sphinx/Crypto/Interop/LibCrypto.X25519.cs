using System.Runtime.InteropServices;

namespace Mixnode.Sphinx.Crypto.Interop;

/// <summary>
/// The OpenSSL 3 EVP calls that X25519 needs (see <see cref="X25519OpenSslBackend"/>).
/// Handles are raw pointers (<see cref="nint"/>); their owners free them.
/// Only <c>EVP_PKEY_set_params</c> (a 32-byte copy into an existing key, no lock, no allocation) uses
/// <see cref="SuppressGCTransitionAttribute"/>; everything else may take locks or run for ~30 µs.
/// </summary>
internal static unsafe partial class LibCrypto
{
    /// <summary>EVP_PKEY_PUBLIC_KEY = OSSL_KEYMGMT_SELECT_ALL_PARAMETERS (0x84) | OSSL_KEYMGMT_SELECT_PUBLIC_KEY (0x02).</summary>
    internal const int EVP_PKEY_PUBLIC_KEY = 0x86;

    /// <summary>EVP_PKEY_KEYPAIR = EVP_PKEY_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_PRIVATE_KEY (0x01).</summary>
    internal const int EVP_PKEY_KEYPAIR = 0x87;

    /// <summary>OSSL_PARAM_OCTET_STRING (openssl/core.h).</summary>
    internal const uint OSSL_PARAM_OCTET_STRING = 5;

    /// <summary>
    /// OSSL_PARAM (openssl/core.h): <c>{ const char *key; unsigned int data_type; void *data; size_t data_size; size_t return_size; }</c>,
    /// 40 bytes on 64-bit. An array ends with an all-zero element.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OsslParam
    {
        public byte* Key;
        public uint DataType;
        public void* Data;
        public nuint DataSize;
        public nuint ReturnSize;

        public static OsslParam OctetString(byte* key, void* data, nuint size) =>
            new() { Key = key, DataType = OSSL_PARAM_OCTET_STRING, Data = data, DataSize = size, ReturnSize = nuint.MaxValue };
    }

    [LibraryImport(Name)]
    internal static partial nint EVP_PKEY_CTX_new_from_name(nint libctx, byte* name, byte* propquery);

    [LibraryImport(Name)]
    internal static partial nint EVP_PKEY_CTX_new_from_pkey(nint libctx, nint pkey, byte* propquery);

    [LibraryImport(Name)]
    internal static partial void EVP_PKEY_CTX_free(nint ctx);

    [LibraryImport(Name)]
    internal static partial int EVP_PKEY_fromdata_init(nint ctx);

    [LibraryImport(Name)]
    internal static partial int EVP_PKEY_fromdata(nint ctx, nint* ppkey, int selection, OsslParam* parameters);

    [LibraryImport(Name)]
    internal static partial void EVP_PKEY_free(nint pkey);

    [LibraryImport(Name)]
    [SuppressGCTransition]
    internal static partial int EVP_PKEY_set_params(nint pkey, OsslParam* parameters);

    [LibraryImport(Name)]
    internal static partial int EVP_PKEY_get_raw_public_key(nint pkey, byte* pub, nuint* len);

    [LibraryImport(Name)]
    internal static partial int EVP_PKEY_derive_init(nint ctx);

    [LibraryImport(Name)]
    internal static partial int EVP_PKEY_derive_set_peer_ex(nint ctx, nint peer, int validatePeer);

    [LibraryImport(Name)]
    internal static partial int EVP_PKEY_derive(nint ctx, byte* key, nuint* keylen);

    [LibraryImport(Name)]
    internal static partial void ERR_clear_error();
}
