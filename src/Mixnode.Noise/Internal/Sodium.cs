using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>
/// The libsodium entry points Noise needs, from the copy NSec.Cryptography ships. Direct calls rather than NSec's
/// objects because they take raw key pointers (re-keying a cipher state costs nothing), work in place, and never
/// allocate. Call <see cref="EnsureInitialized"/> before first use.
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Name = "libsodium";

    private static readonly bool s_initialized = Initialize();

    /// <summary>Runs <c>sodium_init</c> once (the static field initialiser); cheap afterwards.</summary>
    public static void EnsureInitialized()
    {
        if (!s_initialized)
        {
            throw new CryptographicException("libsodium failed to initialise.");
        }
    }

    private static bool Initialize() => sodium_init() >= 0;

    [LibraryImport(Name)]
    private static partial int sodium_init();

    [LibraryImport(Name)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>0 if the tag verifies; -1 otherwise (m is then zeroed).</summary>
    [LibraryImport(Name)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Name)]
    internal static partial nuint crypto_generichash_blake2b_statebytes();

    [LibraryImport(Name)]
    internal static partial int crypto_generichash_blake2b_init(byte* state, byte* key, nuint keylen, nuint outlen);

    [LibraryImport(Name)]
    internal static partial int crypto_generichash_blake2b_update(byte* state, byte* input, ulong inlen);

    [LibraryImport(Name)]
    internal static partial int crypto_generichash_blake2b_final(byte* state, byte* output, nuint outlen);

    [LibraryImport(Name)]
    internal static partial nuint crypto_hash_sha256_statebytes();

    [LibraryImport(Name)]
    internal static partial int crypto_hash_sha256_init(byte* state);

    [LibraryImport(Name)]
    internal static partial int crypto_hash_sha256_update(byte* state, byte* input, ulong inlen);

    [LibraryImport(Name)]
    internal static partial int crypto_hash_sha256_final(byte* state, byte* output);

    [LibraryImport(Name)]
    internal static partial nuint crypto_hash_sha512_statebytes();

    [LibraryImport(Name)]
    internal static partial int crypto_hash_sha512_init(byte* state);

    [LibraryImport(Name)]
    internal static partial int crypto_hash_sha512_update(byte* state, byte* input, ulong inlen);

    [LibraryImport(Name)]
    internal static partial int crypto_hash_sha512_final(byte* state, byte* output);
}
