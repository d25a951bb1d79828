namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// Raw X25519 (RFC 7748) scalar multiplication: the dominant cost of a mix node (one agreement and one blinding per
/// packet). The implementation is chosen once, at first use: OpenSSL 3's EVP (libcrypto.so.3, which .NET itself needs
/// on Linux) if it loads and passes the RFC 7748 self-test, else libsodium (the copy NSec ships).
/// Set <c>MIXNODE_X25519_BACKEND=openssl|libsodium</c> to force one (start-up fails if the forced one does not work).
/// Both libraries are constant-time.
/// </summary>
public static class X25519
{
    public const int ScalarSize = 32;
    public const int PointSize = 32;

    /// <summary>The environment variable that forces a backend ("openssl" or "libsodium").</summary>
    public const string BackendEnvironmentVariable = "MIXNODE_X25519_BACKEND";

    private static readonly X25519Backend s_backend = SelectBackend(Environment.GetEnvironmentVariable(BackendEnvironmentVariable));

    /// <summary>Which implementation is in use ("openssl" or "libsodium"), for bench output and docs.</summary>
    public static string BackendName => s_backend.Name;

    internal static X25519Backend Backend => s_backend;

    /// <summary>
    /// RFC 7748 X25519(scalar, point) with clamping. Thread-safe, allocation-free.
    /// Returns false iff the result is all zero (low-order input point); output is then all zero.
    /// </summary>
    public static bool ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> output)
    {
        CheckLength(scalar.Length, ScalarSize, nameof(scalar));
        CheckLength(point.Length, PointSize, nameof(point));
        CheckLength(output.Length, PointSize, nameof(output));
        return s_backend.ScalarMult(scalar, point, output);
    }

    /// <summary>X25519(scalar, 9): the public key of a private scalar.</summary>
    public static void ScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> publicKey)
    {
        CheckLength(scalar.Length, ScalarSize, nameof(scalar));
        CheckLength(publicKey.Length, PointSize, nameof(publicKey));
        s_backend.ScalarMultBase(scalar, publicKey);
    }

    /// <summary>
    /// The backend for <paramref name="forced"/> ("openssl", "libsodium"; null or empty = automatic): OpenSSL if it
    /// passes its self-test, else libsodium.
    /// </summary>
    internal static X25519Backend SelectBackend(string? forced)
    {
        switch (forced?.Trim().ToLowerInvariant())
        {
            case null or "":
                return TryOpenSsl() ?? CheckedLibsodium();
            case "openssl":
                return TryOpenSsl() ?? throw new InvalidOperationException(
                    $"{BackendEnvironmentVariable}=openssl, but OpenSSL's X25519 ({Interop.LibCrypto.Name}) failed to load or failed its self-test.");
            case "libsodium":
                return CheckedLibsodium();
            default:
                throw new InvalidOperationException($"{BackendEnvironmentVariable} must be 'openssl' or 'libsodium', not '{forced}'.");
        }
    }

    /// <summary>The OpenSSL backend if libcrypto.so.3 loads and the self-test passes, else null.</summary>
    internal static X25519Backend? TryOpenSsl()
    {
        try
        {
            X25519Backend backend = X25519OpenSslBackend.Instance;
            return backend.SelfTest() ? backend : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
                                      or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static X25519LibsodiumBackend CheckedLibsodium()
    {
        X25519LibsodiumBackend backend = X25519LibsodiumBackend.Instance;
        return backend.SelfTest()
            ? backend
            : throw new InvalidOperationException("libsodium's X25519 failed its RFC 7748 self-test.");
    }

    internal static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"X25519 {name} must be {expected} bytes, not {actual}.", name);
        }
    }
}
