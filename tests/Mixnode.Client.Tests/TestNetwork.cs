using Microsoft.Extensions.Time.Testing;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

/// <summary>
/// Two providers and three layers of two mixes with real key files (NodeKeyStore in a temp directory), so that
/// tests can unwrap what the client builds with the nodes' private mix keys. Time is fixed inside epoch 1000.
/// </summary>
internal sealed class TestNetwork : IDisposable
{
    public const long Epoch = 1000;

    private readonly Dictionary<Bytes32, NodeKeyStore> _stores = [];
    private readonly int _keyEpochs;

    public TestNetwork(int layers = 3, int perLayer = 2, int providers = 2, double meanDelayMs = 50, MixingParameters? mixing = null, int keyEpochs = 2)
    {
        _keyEpochs = keyEpochs;
        Root = Path.Combine(Path.GetTempPath(), "mixnode-client-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Time = new FakeTimeProvider(EpochClock.Origin + (EpochClock.DefaultPeriod * Epoch) + TimeSpan.FromMinutes(1));
        var descriptors = new List<NodeDescriptor>();
        int port = 40000;
        for (int p = 0; p < providers; p++)
        {
            descriptors.Add(Make($"provider-{p}", NodeRole.Provider, NodeDescriptor.NoLayer, [$"127.0.0.1:{port++}", $"127.0.0.1:{port++}"]));
        }

        for (int layer = 0; layer < layers; layer++)
        {
            for (int i = 0; i < perLayer; i++)
            {
                descriptors.Add(Make($"mix-{layer}-{i}", NodeRole.Mix, layer, [$"127.0.0.1:{port++}"]));
            }
        }

        Document = NetworkDocument.Create(descriptors, SphinxGeometry.Default, mixing ?? new MixingParameters(meanDelayMs, 0.5), EpochClock.DefaultPeriod, Epoch);
        Topology = new NetworkTopology(Document, default);
    }

    public string Root { get; }

    public FakeTimeProvider Time { get; }

    public NetworkDocument Document { get; }

    public NetworkTopology Topology { get; }

    public SphinxGeometry Geometry => Topology.Geometry;

    /// <summary>
    /// A consensus-style document for <paramref name="epoch"/> (covering it and the next) with the same nodes: needs
    /// <c>keyEpochs</c> large enough that every node has keys for both.
    /// </summary>
    public NetworkTopology DocumentFor(long epoch) =>
        new(new NetworkDocument(Document.EpochPeriod, Document.Geometry, Document.Mixing, new EpochRange(epoch, epoch + 1), Document.Providers, Document.Layers.Select(l => l.AsEnumerable()), epoch), default);

    /// <summary>The node's private mix key for the test epoch; dispose it.</summary>
    public X25519PrivateKey MixKey(Bytes32 nodeId) => _stores[nodeId].TryLoadMixKey(Epoch)!.PrivateKey;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private NodeDescriptor Make(string name, NodeRole role, int layer, string[] addresses)
    {
        var store = new NodeKeyStore(Path.Combine(Root, name));
        store.CreateDirectories();
        store.EnsureIdentityKey();
        store.EnsureLinkKey();
        store.GenerateMixKeys(Epoch, _keyEpochs);
        NodeDescriptor descriptor = store.BuildDescriptor(name, addresses, role, layer);
        _stores[descriptor.Id] = store;
        return descriptor;
    }
}
