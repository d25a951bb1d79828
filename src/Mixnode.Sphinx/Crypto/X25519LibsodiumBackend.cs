using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto.Interop;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// X25519 through libsodium's <c>crypto_scalarmult</c> / <c>crypto_scalarmult_base</c> (the library NSec ships).
/// Stateless: nothing to prepare or free. libsodium clamps the scalar, masks the top bit of u, and returns -1
/// for small-order points (possibly without writing the output), which is mapped to false and an all-zero output.
/// </summary>
internal sealed unsafe class X25519LibsodiumBackend : X25519Backend
{
    private static readonly Lazy<X25519LibsodiumBackend> s_instance = new(Create);

    private X25519LibsodiumBackend()
    {
    }

    /// <summary>The backend, after <c>sodium_init</c>; throws if libsodium cannot be loaded or initialised.</summary>
    public static X25519LibsodiumBackend Instance => s_instance.Value;

    public override string Name => "libsodium";

    public override bool ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> output) =>
        Mult(scalar, point, output);

    public override void ScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> publicKey)
    {
        fixed (byte* s = scalar)
        fixed (byte* q = publicKey)
        {
            if (Libsodium.crypto_scalarmult_base(q, s) != 0)
            {
                // Cannot happen for a clamped scalar (a non-zero multiple of 8 below the group order times 8).
                throw new CryptographicException("libsodium crypto_scalarmult_base failed.");
            }
        }
    }

    public override X25519PreparedKey Prepare(byte[] pinnedPrivateKey) => new PreparedKey(pinnedPrivateKey);

    private static bool Mult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> output)
    {
        fixed (byte* s = scalar)
        fixed (byte* u = point)
        fixed (byte* q = output)
        {
            if (Libsodium.crypto_scalarmult(q, s, u) == 0)
            {
                return true;
            }
        }

        output[..X25519.PointSize].Clear();
        return false;
    }

    private static X25519LibsodiumBackend Create()
    {
        if (Libsodium.sodium_init() < 0)
        {
            throw new CryptographicException("libsodium sodium_init failed.");
        }

        return new X25519LibsodiumBackend();
    }

    /// <summary>libsodium has nothing to precompute: the prepared key is the caller's pinned private key bytes.</summary>
    private sealed class PreparedKey(byte[] pinnedPrivateKey) : X25519PreparedKey
    {
        public override void GetPublicKey(Span<byte> publicKey) => Instance.ScalarMultBase(pinnedPrivateKey, publicKey);

        public override bool Agree(ReadOnlySpan<byte> point, Span<byte> sharedSecret) => Mult(pinnedPrivateKey, point, sharedSecret);

        public override void Dispose()
        {
        }
    }
}
