using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Topology;

public sealed class NetworkDocumentTests
{
    private static readonly MixingParameters Mixing = new(50, 0.5);

    [Fact]
    public void Layers_come_from_the_descriptors()
    {
        NetworkDocument document = TestNetwork.Document();
        Assert.Equal(["provider-0", "provider-1"], document.Providers.Select(p => p.Name));
        for (int layer = 0; layer < 3; layer++)
        {
            Assert.Equal([$"mix-{layer}-0", $"mix-{layer}-1"], document.Layers[layer].Select(m => m.Name));
        }
    }

    [Fact]
    public void A_gap_in_the_layer_numbers_is_refused()
    {
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2), TestNetwork.Node("c", NodeRole.Mix, 2, 3)];
        var e = Assert.Throws<TopologyException>(() => TestNetwork.Document(descriptors: nodes));
        Assert.Contains("no mix is in layer 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_link_keys_are_refused_when_building()
    {
        Bytes32 shared = TestNetwork.RandomKey();
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2, linkKey: shared), TestNetwork.Node("b", NodeRole.Mix, 0, 3, linkKey: shared)];
        var e = Assert.Throws<TopologyException>(() => TestNetwork.Document(descriptors: nodes));
        Assert.Contains("duplicate link key: 'a' and 'b'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_covered_epochs_are_the_common_run_reaching_the_current_epoch()
    {
        List<NodeDescriptor> nodes =
        [
            TestNetwork.Node("p", NodeRole.Provider, 0, 1, firstEpoch: 10, epochs: 5),
            TestNetwork.Node("a", NodeRole.Mix, 0, 2, firstEpoch: 11, epochs: 6),
        ];
        NetworkDocument document = NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, currentEpoch: 12);
        Assert.Equal(new EpochRange(11, 14), document.EpochsCovered);
    }

    [Fact]
    public void Keys_only_for_past_epochs_are_refused()
    {
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2)];
        var e = Assert.Throws<TopologyException>(() =>
            NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, TestNetwork.FirstEpoch + 10));
        Assert.Contains("no common mix keys for the current epoch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_only_for_far_future_epochs_are_refused()
    {
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2)];
        Assert.Throws<TopologyException>(() =>
            NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, TestNetwork.FirstEpoch - 2));
        NetworkDocument next = NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, TestNetwork.FirstEpoch - 1);
        Assert.Equal(TestNetwork.FirstEpoch, next.EpochsCovered.First);
    }

    [Fact]
    public void A_mixnet_without_mixes_or_providers_is_refused()
    {
        Assert.Contains("no mix layer", Assert.Throws<TopologyException>(() =>
            TestNetwork.Document(descriptors: [TestNetwork.Node("p", NodeRole.Provider, 0, 1)])).Message, StringComparison.Ordinal);
        Assert.Contains("no provider", Assert.Throws<TopologyException>(() =>
            TestNetwork.Document(descriptors: [TestNetwork.Node("a", NodeRole.Mix, 0, 1)])).Message, StringComparison.Ordinal);
    }
}
