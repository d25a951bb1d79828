namespace Mixnode.Sphinx.Crypto.Interop;

/// <summary>
/// OpenSSL's libcrypto, which .NET itself needs on Linux, so it is always present where Mixnode runs.
/// Each primitive that calls into it lives in its own partial file (LibCrypto.X25519.cs, LibCrypto.Sha256.cs).
/// </summary>
internal static partial class LibCrypto
{
    internal const string Name = "libcrypto.so.3";
}
