using System.Security.Cryptography;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Node.Tests.Support;

/// <summary>Descriptors and documents with random keys, for topology tests that need no key files.</summary>
internal static class TestNetwork
{
    public const long FirstEpoch = 1000;

    public static Bytes32 RandomKey() => Bytes32.From(RandomNumberGenerator.GetBytes(32));

    public static NodeDescriptor Node(string name, NodeRole role, int layer, int port, long firstEpoch = FirstEpoch, int epochs = 3, Bytes32? linkKey = null, Bytes32? identityKey = null) =>
        new(
            name,
            identityKey ?? RandomKey(),
            linkKey ?? RandomKey(),
            [$"127.0.0.1:{port}"],
            role,
            role == NodeRole.Provider ? NodeDescriptor.NoLayer : layer,
            Enumerable.Range(0, epochs).Select(i => new KeyValuePair<long, Bytes32>(firstEpoch + i, RandomKey())));

    /// <summary>Two providers and <paramref name="layers"/> layers of two mixes each.</summary>
    public static List<NodeDescriptor> Descriptors(int layers = 3)
    {
        var list = new List<NodeDescriptor>
        {
            Node("provider-0", NodeRole.Provider, 0, 30000),
            Node("provider-1", NodeRole.Provider, 0, 30001),
        };
        for (int layer = 0; layer < layers; layer++)
        {
            for (int i = 0; i < 2; i++)
            {
                list.Add(Node($"mix-{layer}-{i}", NodeRole.Mix, layer, 31000 + (10 * layer) + i));
            }
        }

        return list;
    }

    public static NetworkDocument Document(SphinxGeometry? geometry = null, IReadOnlyCollection<NodeDescriptor>? descriptors = null) =>
        NetworkDocument.Create(
            descriptors ?? Descriptors(),
            geometry ?? SphinxGeometry.Default,
            new MixingParameters(50, 0.5),
            EpochClock.DefaultPeriod,
            FirstEpoch);

    public static Key NewAuthority() => new(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);

    public static Bytes32 PublicKeyOf(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
}
