namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// One implementation of raw X25519 (RFC 7748). Inputs are already length-checked by the callers
/// (<see cref="X25519"/>, <see cref="X25519PrivateKey"/>); implementations clamp the scalar, ignore the top bit of u,
/// and report an all-zero result as <c>false</c> with an all-zero output.
/// </summary>
internal abstract class X25519Backend
{
    public abstract string Name { get; }

    public abstract bool ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> output);

    public abstract void ScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> publicKey);

    /// <summary>
    /// Prepares a long-lived private key. <paramref name="pinnedPrivateKey"/> is a pinned 32-byte array owned by the
    /// caller, which outlives the returned object and is zeroed by the caller after disposing it.
    /// </summary>
    public abstract X25519PreparedKey Prepare(byte[] pinnedPrivateKey);

    /// <summary>Checks the RFC 7748 §5.2 vectors and the §6.1 public key; false if anything differs or throws.</summary>
    public bool SelfTest()
    {
        Span<byte> output = stackalloc byte[X25519.PointSize];
        if (!ScalarMult(X25519KnownAnswers.Rfc7748Scalar1, X25519KnownAnswers.Rfc7748Point1, output)
            || !output.SequenceEqual(X25519KnownAnswers.Rfc7748Output1))
        {
            return false;
        }

        if (!ScalarMult(X25519KnownAnswers.Rfc7748Scalar2, X25519KnownAnswers.Rfc7748Point2, output)
            || !output.SequenceEqual(X25519KnownAnswers.Rfc7748Output2))
        {
            return false;
        }

        ScalarMultBase(X25519KnownAnswers.AlicePrivate, output);
        if (!output.SequenceEqual(X25519KnownAnswers.AlicePublic))
        {
            return false;
        }

        // A low-order point must be reported, not silently produce zeros.
        Span<byte> zero = stackalloc byte[X25519.PointSize];
        zero.Clear();
        return !ScalarMult(X25519KnownAnswers.Rfc7748Scalar1, zero, output);
    }
}

/// <summary>
/// Backend-specific state of an <see cref="X25519PrivateKey"/>. <see cref="X25519PrivateKey"/> guarantees that
/// <see cref="IDisposable.Dispose"/> is called once, after every <see cref="Agree"/> in flight has returned.
/// </summary>
internal abstract class X25519PreparedKey : IDisposable
{
    /// <summary>The public key, computed once by the backend.</summary>
    public abstract void GetPublicKey(Span<byte> publicKey);

    public abstract bool Agree(ReadOnlySpan<byte> point, Span<byte> sharedSecret);

    public abstract void Dispose();
}

/// <summary>RFC 7748 known answers used by the start-up self-test (and the tests).</summary>
internal static class X25519KnownAnswers
{
    // RFC 7748 §5.2, first vector.
    public static readonly byte[] Rfc7748Scalar1 = Convert.FromHexString("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    public static readonly byte[] Rfc7748Point1 = Convert.FromHexString("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    public static readonly byte[] Rfc7748Output1 = Convert.FromHexString("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");

    // RFC 7748 §5.2, second vector (u has its top bit set, which must be ignored).
    public static readonly byte[] Rfc7748Scalar2 = Convert.FromHexString("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
    public static readonly byte[] Rfc7748Point2 = Convert.FromHexString("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
    public static readonly byte[] Rfc7748Output2 = Convert.FromHexString("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");

    // RFC 7748 §6.1.
    public static readonly byte[] AlicePrivate = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    public static readonly byte[] AlicePublic = Convert.FromHexString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    public static readonly byte[] BobPrivate = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    public static readonly byte[] BobPublic = Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    public static readonly byte[] SharedSecret = Convert.FromHexString("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}
