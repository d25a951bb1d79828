using System.Security.Cryptography;
using NSec.Cryptography;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// X25519 through NSec's key-agreement API, for comparison only (benchmarks and tests): never chosen at start-up.
/// Each call imports the private key (NSec copies it into a libsodium secure allocation and derives its public key),
/// imports the peer public key, agrees and exports the raw shared secret, so it allocates and does more work than
/// the raw call. NSec itself rejects all-zero results (Agree returns null).
/// </summary>
internal sealed class X25519NSecBackend : X25519Backend
{
    public static readonly X25519NSecBackend Instance = new();

    private X25519NSecBackend()
    {
    }

    public override string Name => "nsec";

    public override bool ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> output)
    {
        KeyAgreementAlgorithm algorithm = KeyAgreementAlgorithm.X25519;
        using Key key = Key.Import(algorithm, scalar, KeyBlobFormat.RawPrivateKey);
        return Agree(key, point, output);
    }

    public override void ScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> publicKey)
    {
        using Key key = Key.Import(KeyAgreementAlgorithm.X25519, scalar, KeyBlobFormat.RawPrivateKey);
        if (!key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, publicKey, out int written) || written != X25519.PointSize)
        {
            throw new CryptographicException("NSec public key export failed.");
        }
    }

    public override X25519PreparedKey Prepare(byte[] pinnedPrivateKey) => new PreparedKey(pinnedPrivateKey);

    private static bool Agree(Key key, ReadOnlySpan<byte> point, Span<byte> output)
    {
        // NSec's RawPublicKey import rejects nothing about the value but, like RFC 7748, masks the top bit.
        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, point, KeyBlobFormat.RawPublicKey, out PublicKey? peer) || peer is null)
        {
            output[..X25519.PointSize].Clear();
            return false;
        }

        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using SharedSecret? secret = KeyAgreementAlgorithm.X25519.Agree(key, peer, in parameters);
        if (secret is null)
        {
            output[..X25519.PointSize].Clear();
            return false;
        }

        if (!secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, output, out int written) || written != X25519.PointSize)
        {
            throw new CryptographicException("NSec shared secret export failed.");
        }

        return true;
    }

    /// <summary>Keeps the imported NSec key; each agreement still imports the peer and allocates the shared secret.</summary>
    private sealed class PreparedKey(byte[] pinnedPrivateKey) : X25519PreparedKey
    {
        private readonly Key _key = Key.Import(KeyAgreementAlgorithm.X25519, pinnedPrivateKey, KeyBlobFormat.RawPrivateKey);

        public override void GetPublicKey(Span<byte> publicKey) => _key.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(publicKey);

        public override bool Agree(ReadOnlySpan<byte> point, Span<byte> sharedSecret) => X25519NSecBackend.Agree(_key, point, sharedSecret);

        public override void Dispose() => _key.Dispose();
    }
}
