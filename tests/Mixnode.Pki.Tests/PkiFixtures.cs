using System.Security.Cryptography;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Pki.Tests;

/// <summary>Keys and small networks for the PKI tests, made from fresh random keys.</summary>
internal static class PkiFixtures
{
    public const long Epoch = 300_000;

    public static Key NewSigningKey() => new(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);

    public static Bytes32 PublicKeyOf(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public static Bytes32 RandomKey() => Bytes32.From(RandomNumberGenerator.GetBytes(32));

    public static NodeDescriptor Node(string name, NodeRole role, int layer, int port, Bytes32? identityKey = null, long firstEpoch = Epoch) =>
        new(name, identityKey ?? RandomKey(), RandomKey(), [$"127.0.0.1:{port}"], role, layer,
            Enumerable.Range(0, 3).Select(i => new KeyValuePair<long, Bytes32>(firstEpoch + i, RandomKey())));

    /// <summary>Two providers and three layers of two mixes; a document for <paramref name="epoch"/> covering it and the next.</summary>
    public static NetworkDocument Document(long epoch = Epoch)
    {
        var providers = new[] { Node("provider-0", NodeRole.Provider, NodeDescriptor.NoLayer, 30000, firstEpoch: epoch), Node("provider-1", NodeRole.Provider, NodeDescriptor.NoLayer, 30001, firstEpoch: epoch) };
        var layers = Enumerable.Range(0, 3)
            .Select(l => Enumerable.Range(0, 2).Select(i => Node($"mix-{l}-{i}", NodeRole.Mix, l, 30100 + (10 * l) + i, firstEpoch: epoch)).ToArray())
            .ToArray();
        return new NetworkDocument(TimeSpan.FromSeconds(20), SphinxGeometry.Default, new MixingParameters(50, 0.5), new EpochRange(epoch, epoch + 1), providers, layers, epoch, RandomKey());
    }

    public static AuthoritySet SetOf(IReadOnlyList<Key> keys, int? threshold = null) =>
        new(keys.Select((k, i) => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{31000 + i}", PublicKeyOf(k))), threshold ?? AuthoritySet.Majority(keys.Count));

    /// <summary>The document's file signed by each of <paramref name="signers"/>.</summary>
    public static byte[] SignedBy(NetworkDocument document, params Key[] signers)
    {
        byte[] payload = SignedNetworkDocument.Payload(document);
        return SignedNetworkDocument.Assemble(payload, signers.Select(k => new KeyValuePair<Bytes32, byte[]>(PublicKeyOf(k), SignedNetworkDocument.SignPayload(payload, k))));
    }
}
