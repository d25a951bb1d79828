using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

/// <summary>Carries a packet through the test network as the nodes would: unwrap with each hop's private mix key, follow NextNodeHop.</summary>
internal static class HopWalker
{
    public sealed record Hop(NodeDescriptor Node, UnwrappedPacket Result);

    /// <summary>The hops in order, and what the last one delivered (message, or tag + encrypted reply).</summary>
    public static (List<Hop> Hops, byte[] Delivered) Walk(TestNetwork network, byte[] packet, Bytes32 firstHop)
    {
        var hops = new List<Hop>();
        Bytes32 current = firstHop;
        byte[] buffer = (byte[])packet.Clone();
        while (true)
        {
            Assert.True(network.Topology.TryGetNode(current, out NodeDescriptor? node), "the next hop is a node of the topology");
            UnwrappedPacket result;
            using (X25519PrivateKey key = network.MixKey(current))
            {
                Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(network.Geometry, key, buffer, out result));
            }

            hops.Add(new Hop(node, result));
            if (result.Kind != UnwrappedKind.Forward)
            {
                return (hops, result.Payload(buffer).ToArray());
            }

            Assert.True(hops.Count <= network.Geometry.NrHops, "a route ends within the geometry's hops");
            current = result.Commands.NextNodeId;
        }
    }
}
