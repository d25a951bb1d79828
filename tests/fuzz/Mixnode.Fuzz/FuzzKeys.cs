using System.Security.Cryptography;
using NSec.Cryptography;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Fuzz;

/// <summary>
/// Fixed keys, so that a seed made once (<c>seeds</c> command) still opens under the harness on every later run: the
/// mix key a Sphinx packet is unwrapped with, the Noise statics and ephemerals, the Ed25519 signers. Test keys only.
/// </summary>
internal static class FuzzKeys
{
    public static byte[] MixPrivate { get; } = Scalar(1);

    public static byte[] InitiatorStatic { get; } = Scalar(2);

    public static byte[] InitiatorEphemeral { get; } = Scalar(3);

    public static byte[] ResponderStatic { get; } = Scalar(4);

    public static byte[] ResponderEphemeral { get; } = Scalar(5);

    public static X25519PrivateKey MixKey { get; } = new(MixPrivate);

    /// <summary>The network document's authority.</summary>
    public static Key Authority { get; } = Ed25519(6);

    /// <summary>The identity key of the node whose descriptor uploads are fuzzed.</summary>
    public static Key NodeIdentity { get; } = Ed25519(7);

    /// <summary>The other authority of the two the <c>authorityhttp</c> target's authority runs with (it sends the votes, reveals and certificates).</summary>
    public static Key PeerAuthority { get; } = Ed25519(8);

    private static byte[] Scalar(byte label) => SHA256.HashData([(byte)'m', (byte)'x', (byte)'f', label]);

    private static Key Ed25519(byte label) =>
        Key.Import(SignatureAlgorithm.Ed25519, Scalar(label), KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
}
