using System.Runtime.InteropServices;

namespace Mixnode.Sphinx.Crypto.Interop;

/// <summary>
/// libsodium, as shipped by the <c>libsodium</c> NuGet package that NSec.Cryptography depends on
/// (runtimes/&lt;rid&gt;/native/libsodium.so, resolved through the app's deps.json).
/// <c>sodium_init</c> must have been called once before anything else (it is idempotent and thread-safe).
/// </summary>
internal static unsafe partial class Libsodium
{
    internal const string Name = "libsodium";

    /// <summary>0 on success, 1 if already initialised, -1 on failure.</summary>
    [LibraryImport(Name)]
    internal static partial int sodium_init();

    [LibraryImport(Name)]
    internal static partial byte* sodium_version_string();

    /// <summary>q = X25519(n, p); -1 (q then unspecified) if p has small order or the result is all zero.</summary>
    [LibraryImport(Name)]
    internal static partial int crypto_scalarmult(byte* q, byte* n, byte* p);

    /// <summary>q = X25519(n, 9) via the Ed25519 fixed-base table.</summary>
    [LibraryImport(Name)]
    internal static partial int crypto_scalarmult_base(byte* q, byte* n);
}
