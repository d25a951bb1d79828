using FsCheck.Xunit;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

public sealed class RouteSelectorTests : IClassFixture<RouteSelectorTests.Network>
{
    private readonly TestNetwork _network;

    public RouteSelectorTests(Network network) => _network = network.Value;

    [Property(MaxTest = 300)]
    public bool Every_route_is_provider_then_one_mix_per_layer_then_provider(byte from, byte to)
    {
        var selector = new RouteSelector(_network.Topology);
        NodeDescriptor sender = _network.Topology.Providers[from % _network.Topology.Providers.Length];
        NodeDescriptor recipient = _network.Topology.Providers[to % _network.Topology.Providers.Length];
        NodeDescriptor[] route = selector.Select(sender, recipient);
        if (route.Length != _network.Topology.Layers.Length + 2 || route[0] != sender || route[^1] != recipient)
        {
            return false;
        }

        for (int layer = 0; layer < _network.Topology.Layers.Length; layer++)
        {
            NodeDescriptor hop = route[layer + 1];
            if (hop.Role != NodeRole.Mix || hop.Layer != layer || !_network.Topology.Layers[layer].Contains(hop))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Three_layers_make_five_hops_and_every_mix_gets_used()
    {
        var selector = new RouteSelector(_network.Topology);
        Assert.Equal(5, selector.RouteLength);
        var seen = new HashSet<string>();
        for (int i = 0; i < 400; i++)
        {
            foreach (NodeDescriptor hop in selector.Select(_network.Topology.Providers[0], _network.Topology.Providers[1])[1..^1])
            {
                seen.Add(hop.Name);
            }
        }

        Assert.Equal(_network.Topology.Layers.Sum(l => l.Length), seen.Count);
    }

    [Fact]
    public void Routes_must_start_and_end_at_providers()
    {
        var selector = new RouteSelector(_network.Topology);
        NodeDescriptor mix = _network.Topology.Layers[0][0];
        Assert.Throws<ArgumentException>(() => selector.Select(mix, _network.Topology.Providers[0]));
        Assert.Throws<ArgumentException>(() => selector.Select(_network.Topology.Providers[0], mix));
    }

    public sealed class Network : IDisposable
    {
        internal TestNetwork Value { get; } = new();

        public void Dispose() => Value.Dispose();
    }
}
