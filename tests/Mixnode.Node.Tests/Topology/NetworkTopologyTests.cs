using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Topology;

public sealed class NetworkTopologyTests
{
    private readonly NetworkTopology _topology = new(TestNetwork.Document(), TestNetwork.RandomKey());

    [Fact]
    public void Nodes_are_found_by_id_as_value_or_span()
    {
        NodeDescriptor mix = _topology.Layers[1][0];
        Assert.True(_topology.TryGetNode(mix.Id, out NodeDescriptor? byValue));
        Assert.Same(mix, byValue);
        Assert.True(_topology.TryGetNode(mix.Id.AsReadOnlySpan(), out NodeDescriptor? bySpan));
        Assert.Same(mix, bySpan);
        Assert.False(_topology.TryGetNode(TestNetwork.RandomKey(), out _));
        Assert.False(_topology.TryGetNode(new byte[31], out _));
        Assert.Equal(8, _topology.NodeCount);
    }

    [Fact]
    public void Nodes_are_found_by_link_key()
    {
        NodeDescriptor provider = _topology.Providers[1];
        Assert.True(_topology.TryGetNodeByLinkKey(provider.LinkKey.AsReadOnlySpan(), out NodeDescriptor? node));
        Assert.Same(provider, node);
        Assert.False(_topology.TryGetNodeByLinkKey(TestNetwork.RandomKey().AsReadOnlySpan(), out _));
    }

    [Fact]
    public void Mix_keys_are_found_per_epoch()
    {
        NodeDescriptor mix = _topology.Layers[2][1];
        Assert.True(_topology.TryGetMixKey(mix.Id, TestNetwork.FirstEpoch + 1, out Bytes32 key));
        Assert.Equal(mix.MixKeys[TestNetwork.FirstEpoch + 1], key);
        Assert.False(_topology.TryGetMixKey(mix.Id, TestNetwork.FirstEpoch + 3, out _));
        Assert.False(_topology.TryGetMixKey(TestNetwork.RandomKey(), TestNetwork.FirstEpoch, out _));
    }

    [Fact]
    public void Network_parameters_are_exposed()
    {
        Assert.Equal(SphinxGeometry.Default, _topology.Geometry);
        Assert.Equal(TimeSpan.FromMilliseconds(50), _topology.MeanDelay);
        Assert.Equal(0.5, _topology.Mixing.LoopRatePerSecond);
        Assert.Equal(EpochClock.DefaultPeriod, _topology.EpochPeriod);
    }
}
