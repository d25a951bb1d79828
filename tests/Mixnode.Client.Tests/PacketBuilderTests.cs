using System.Security.Cryptography;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

public sealed class PacketBuilderTests : IDisposable
{
    private readonly TestNetwork _network = new();

    public void Dispose() => _network.Dispose();

    [Fact]
    public void A_packet_unwraps_hop_by_hop_and_delivers_to_the_recipient_key()
    {
        var builder = new PacketBuilder(_network.Topology, _network.Time);
        NodeDescriptor sender = _network.Topology.Providers[0];
        NodeDescriptor recipientProvider = _network.Topology.Providers[1];
        byte[] recipient = RandomNumberGenerator.GetBytes(32);
        byte[] message = RandomNumberGenerator.GetBytes(100);

        RoutePlan plan = builder.PlanRoute(sender, recipientProvider);
        ForwardPacket packet = builder.CreateForward(plan, recipient, message);
        Assert.Equal(_network.Geometry.PacketLength, packet.Packet.Length);

        (List<HopWalker.Hop> hops, byte[] delivered) = HopWalker.Walk(_network, packet.Packet, packet.FirstHop.Id);
        Assert.Equal(plan.Route.Select(n => n.Name), hops.Select(h => h.Node.Name));
        for (int i = 0; i < hops.Count - 1; i++)
        {
            Assert.Equal(UnwrappedKind.Forward, hops[i].Result.Kind);
            Assert.True(hops[i].Result.Commands.HasNodeDelay);
            Assert.Equal(plan.DelaysMs[i], hops[i].Result.Commands.NodeDelayMs);
        }

        HopWalker.Hop last = hops[^1];
        Assert.Equal(UnwrappedKind.Deliver, last.Result.Kind);
        Assert.False(last.Result.Commands.HasNodeDelay);
        Assert.Equal(recipient, last.Result.Commands.RecipientId.AsReadOnlySpan().ToArray());
        Assert.Equal(message, delivered[..message.Length]);
        Assert.All(delivered[message.Length..], b => Assert.Equal(0, b));
        Assert.Equal(plan.TotalDelayMs, packet.TotalDelayMs);
    }

    [Fact]
    public void A_surb_reply_comes_back_through_the_mixes_and_decrypts()
    {
        var builder = new PacketBuilder(_network.Topology, _network.Time);
        NodeDescriptor home = _network.Topology.Providers[1];
        byte[] me = RandomNumberGenerator.GetBytes(32);
        using ReplyBlock surb = builder.CreateSurb(home, me);
        Assert.Equal(_network.Geometry.SurbLength, surb.Surb.Length);

        byte[] answer = new byte[_network.Geometry.ForwardPayloadLength];
        RandomNumberGenerator.Fill(answer.AsSpan(0, 500));
        byte[] reply = new byte[_network.Geometry.PacketLength];
        SurbBuilder.CreateReply(_network.Geometry, surb.Surb, answer, reply, out Bytes32 firstHop);

        (List<HopWalker.Hop> hops, byte[] delivered) = HopWalker.Walk(_network, reply, firstHop);

        // The replier is a provider that sends to the first mix: mixes of every layer, then our provider.
        Assert.Equal(_network.Topology.Layers.Length + 1, hops.Count);
        for (int layer = 0; layer < _network.Topology.Layers.Length; layer++)
        {
            Assert.Equal(layer, hops[layer].Node.Layer);
        }

        HopWalker.Hop last = hops[^1];
        Assert.Equal(home.Name, last.Node.Name);
        Assert.Equal(UnwrappedKind.SurbReply, last.Result.Kind);
        Assert.Equal(me, last.Result.Commands.RecipientId.AsReadOnlySpan().ToArray());
        Assert.Equal(surb.Id, last.Result.Commands.SurbId);
        Assert.Equal(_network.Geometry.PayloadLength, delivered.Length);
        Assert.Equal(answer, surb.TryDecrypt(delivered));

        delivered[^1] ^= 1;
        Assert.Null(surb.TryDecrypt(delivered));
    }

    [Fact]
    public void An_echo_request_carries_a_surb_to_the_echo_service_that_brings_the_payload_home()
    {
        var builder = new PacketBuilder(_network.Topology, _network.Time);
        NodeDescriptor provider = _network.Topology.Providers[0];
        byte[] me = RandomNumberGenerator.GetBytes(32);
        byte[] payload = RandomNumberGenerator.GetBytes(builder.MaxEchoPayloadLength);
        ForwardPacket request = builder.CreateEcho(provider, me, payload, out ReplyBlock surb);
        using (surb)
        {
            (List<HopWalker.Hop> hops, byte[] delivered) = HopWalker.Walk(_network, request.Packet, request.FirstHop.Id);
            Assert.Equal(provider.Name, hops[0].Node.Name);
            Assert.Equal(provider.Name, hops[^1].Node.Name);
            Assert.Equal(PacketBuilder.EchoRecipientId.ToArray(), hops[^1].Result.Commands.RecipientId.AsReadOnlySpan().ToArray());

            // What the echo service does: the SURB first, the rest back through it.
            byte[] reply = new byte[_network.Geometry.PacketLength];
            byte[] answer = new byte[_network.Geometry.ForwardPayloadLength];
            delivered.AsSpan(_network.Geometry.SurbLength).CopyTo(answer);
            SurbBuilder.CreateReply(_network.Geometry, delivered.AsSpan(0, _network.Geometry.SurbLength), answer, reply, out Bytes32 firstHop);
            (List<HopWalker.Hop> back, byte[] returned) = HopWalker.Walk(_network, reply, firstHop);
            Assert.Equal(provider.Name, back[^1].Node.Name);
            byte[]? opened = surb.TryDecrypt(returned);
            Assert.NotNull(opened);
            Assert.Equal(payload, opened[..payload.Length]);
        }
    }

    [Fact]
    public void Under_a_timed_pool_every_hop_asks_for_delay_zero()
    {
        var mixing = new MixingParameters(50, 0.5, MixingStrategy.TimedPool, PoolParameters.Default);
        using var network = new TestNetwork(mixing: mixing);
        var builder = new PacketBuilder(network.Topology, network.Time);
        NodeDescriptor provider = network.Topology.Providers[0];
        using var marker = new LoopMarker();
        ForwardPacket[] packets =
        [
            builder.CreateForward(provider, network.Topology.Providers[1], new byte[32], [1, 2, 3]),
            builder.CreateDrop(provider),
            builder.CreateLoop(provider, new byte[32], marker),
        ];
        foreach (ForwardPacket packet in packets)
        {
            Assert.Equal(0, packet.TotalDelayMs);
            (List<HopWalker.Hop> hops, _) = HopWalker.Walk(network, packet.Packet, packet.FirstHop.Id);
            Assert.Equal(network.Topology.Layers.Length + 2, hops.Count);

            // The command is there, with 0: the same shape as under Poisson mixing.
            Assert.All(hops[..^1], h => Assert.True(h.Result.Commands.HasNodeDelay && h.Result.Commands.NodeDelayMs == 0));
        }
    }

    [Fact]
    public void Messages_longer_than_the_payload_are_refused()
    {
        var builder = new PacketBuilder(_network.Topology, _network.Time);
        NodeDescriptor p = _network.Topology.Providers[0];
        Assert.Throws<ArgumentException>(() => builder.CreateForward(p, p, new byte[32], new byte[builder.MaxMessageLength + 1]));
    }

    [Fact]
    public void A_topology_without_keys_for_the_current_epoch_is_a_clear_error()
    {
        var builder = new PacketBuilder(_network.Topology, _network.Time);
        _network.Time.Advance(EpochClock.DefaultPeriod * 5);
        NodeDescriptor p = _network.Topology.Providers[0];
        ClientException e = Assert.Throws<ClientException>(() => builder.CreateForward(p, p, new byte[32], [1, 2, 3]));
        Assert.Contains("current epoch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_echo_recipient_is_ascii_echo_then_zeros()
    {
        byte[] expected = new byte[32];
        "echo"u8.CopyTo(expected);
        Assert.Equal(expected, PacketBuilder.EchoRecipientId.ToArray());
    }
}
