using System.Security.Cryptography;
using Mixnode.Node.Delivery;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Sphinx;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

/// <summary>
/// A real message, a drop and a loop must look alike to everyone but the last hop: same length, same first hop, same
/// number of hops of the same roles and layers, the same commands of the same encoded size at every hop, delays drawn
/// by the same sampler one per delaying hop. Only the last provider sees who the packet is for.
/// </summary>
public sealed class CoverShapeTests : IDisposable
{
    private readonly TestNetwork _network = new();

    public void Dispose() => _network.Dispose();

    [Fact]
    public void A_message_a_drop_and_a_loop_have_the_same_shape_hop_by_hop()
    {
        // Every packet consumes the same four draws, in order: if any kind drew more, fewer or elsewhere, its delays would differ.
        double[] draws = [0.25, 1.5, 0.75, 3];
        int next = 0;
        var sampler = new DelaySampler(_network.Topology.Mixing.MeanDelayMs, double.NaN, () => draws[next++ % draws.Length]);
        var builder = new PacketBuilder(_network.Topology, _network.Time, sampler);
        NodeDescriptor own = _network.Topology.Providers[0];
        NodeDescriptor other = _network.Topology.Providers[1];
        byte[] ownId = RandomNumberGenerator.GetBytes(32);
        byte[] friend = RandomNumberGenerator.GetBytes(32);
        using var marker = new LoopMarker();

        ForwardPacket message = builder.CreateForward(own, other, friend, "hello"u8);
        ForwardPacket drop = builder.CreateDrop(own);
        ForwardPacket loop = builder.CreateLoop(own, ownId, marker);
        ForwardPacket[] all = [message, drop, loop];

        uint[] expectedDelays = [.. draws.Select(d => (uint)Math.Round(d * _network.Topology.Mixing.MeanDelayMs))];
        Assert.All(all, p => Assert.Equal(_network.Geometry.PacketLength, p.Packet.Length));
        Assert.All(all, p => Assert.Equal(own.Name, p.FirstHop.Name));
        Assert.All(all, p => Assert.Equal(expectedDelays.Sum(d => d), p.TotalDelayMs));

        var walks = all.Select(p => HopWalker.Walk(_network, p.Packet, p.FirstHop.Id)).ToArray();
        int length = _network.Topology.Layers.Length + 2;
        Assert.All(walks, w => Assert.Equal(length, w.Hops.Count));
        for (int i = 0; i < length; i++)
        {
            HopWalker.Hop[] hop = [.. walks.Select(w => w.Hops[i])];
            Assert.All(hop, h => Assert.Equal(hop[0].Node.Role, h.Node.Role));
            Assert.All(hop, h => Assert.Equal(hop[0].Node.Layer, h.Node.Layer));
            Assert.All(hop, h => Assert.Equal(hop[0].Result.Kind, h.Result.Kind));
            Assert.All(hop, h => Assert.Equal(hop[0].Result.Commands.EncodedLength, h.Result.Commands.EncodedLength));
            Assert.All(hop, h => Assert.Equal(hop[0].Result.PayloadLength, h.Result.PayloadLength));
            Assert.All(hop, h => Assert.Equal(hop[0].Result.PayloadOffset, h.Result.PayloadOffset));
            Assert.All(hop, h => Assert.False(h.Result.Commands.HasSurbReply));
            if (i < length - 1)
            {
                Assert.All(hop, h => Assert.Equal(UnwrappedKind.Forward, h.Result.Kind));
                Assert.All(hop, h => Assert.True(h.Result.Commands.HasNodeDelay && h.Result.Commands.HasNextNodeHop && !h.Result.Commands.HasRecipient));
                Assert.All(hop, h => Assert.Equal(expectedDelays[i], h.Result.Commands.NodeDelayMs));
            }
            else
            {
                Assert.All(hop, h => Assert.Equal(UnwrappedKind.Deliver, h.Result.Kind));
                Assert.All(hop, h => Assert.True(h.Result.Commands.HasRecipient && !h.Result.Commands.HasNodeDelay));
            }
        }

        // The last hop alone tells them apart.
        Assert.Equal(friend, walks[0].Hops[^1].Result.Commands.RecipientId.AsReadOnlySpan().ToArray());
        Assert.Equal(DropRecipient.Id, walks[1].Hops[^1].Result.Commands.RecipientId);
        Assert.Equal(ownId, walks[2].Hops[^1].Result.Commands.RecipientId.AsReadOnlySpan().ToArray());
        Assert.Equal(own.Name, walks[2].Hops[^1].Node.Name);
        Assert.All(walks, w => Assert.Equal(_network.Geometry.ForwardPayloadLength, w.Delivered.Length));
        Assert.True(marker.IsLoop(walks[2].Delivered));
        Assert.False(marker.IsLoop(walks[0].Delivered));
        Assert.False(marker.IsLoop(walks[1].Delivered));
    }

    [Fact]
    public void With_the_networks_sampler_every_delaying_hop_of_every_kind_gets_a_capped_draw()
    {
        var builder = new PacketBuilder(_network.Topology, _network.Time);
        NodeDescriptor own = _network.Topology.Providers[0];
        using var marker = new LoopMarker();
        for (int round = 0; round < 5; round++)
        {
            foreach (ForwardPacket packet in new[] { builder.CreateForward(own, own, new byte[32], [7]), builder.CreateDrop(own), builder.CreateLoop(own, new byte[32], marker) })
            {
                (List<HopWalker.Hop> hops, _) = HopWalker.Walk(_network, packet.Packet, packet.FirstHop.Id);
                Assert.All(hops[..^1], h => Assert.InRange(h.Result.Commands.NodeDelayMs, 0u, (uint)_network.Topology.Mixing.MaxDelayMs));
                Assert.Equal(packet.TotalDelayMs, hops[..^1].Sum(h => (long)h.Result.Commands.NodeDelayMs));
            }
        }
    }

    [Fact]
    public void Drops_end_at_a_provider_drawn_uniformly()
    {
        var builder = new PacketBuilder(_network.Topology, _network.Time);
        NodeDescriptor own = _network.Topology.Providers[0];
        var ends = new Dictionary<string, int>();
        for (int i = 0; i < 200; i++)
        {
            ForwardPacket drop = builder.CreateDrop(own);
            ends[drop.Route[^1].Name] = ends.GetValueOrDefault(drop.Route[^1].Name) + 1;
        }

        // Two providers, 200 drops: each gets 100 ± 7 (sd); 60 is over five sd away.
        Assert.Equal(2, ends.Count);
        Assert.All(ends.Values, n => Assert.InRange(n, 60, 140));
    }
}
