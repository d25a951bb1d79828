using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Mixnode.Sphinx.Tests.Packets;

/// <summary>Create → unwrap at every hop, for every hop count and several geometries; tampering is always caught.</summary>
public sealed class SphinxRoundTripProperties : IDisposable
{
    private static readonly SphinxGeometry[] Geometries =
    [
        new(1, 0),
        new(2, 17),
        SphinxGeometry.KatzenpostVectors,
        SphinxGeometry.Default,
        new(8, 300),
    ];

    private readonly TestNetwork _network = new(8);

    public void Dispose() => _network.Dispose();

    [Fact]
    public void Every_hop_count_of_every_geometry_round_trips()
    {
        foreach (SphinxGeometry geometry in Geometries)
        {
            for (int hops = 1; hops <= geometry.NrHops; hops++)
            {
                Assert.True(RoundTrip(geometry, hops, seed: hops), $"{geometry}, {hops} hops");
            }
        }
    }

    [Property(MaxTest = 25)]
    public Property Random_messages_round_trip() =>
        Prop.ForAll(Choice(), c => RoundTrip(c.Geometry, c.Hops, c.Seed));

    [Property(MaxTest = 40)]
    public Property Any_bit_flip_in_the_header_is_refused_at_the_first_hop() =>
        Prop.ForAll(Choice(), ArbMap.Default.ArbFor<int>(), (c, where) =>
        {
            byte[] packet = Create(c.Geometry, c.Hops, c.Seed, out _);
            int bit = (int)((uint)where % (uint)(c.Geometry.HeaderLength * 8));
            packet[bit / 8] ^= (byte)(1 << (bit % 8));
            UnwrapResult result = SphinxUnwrapper.Unwrap(c.Geometry, _network.Key(0), packet, out _);
            UnwrapResult expected = bit < 16 ? UnwrapResult.InvalidVersion : UnwrapResult.MacMismatch;
            return (result == expected).Label($"bit {bit}: {result}");
        });

    [Property(MaxTest = 40)]
    public Property Any_bit_flip_in_the_payload_fails_the_exit_tag() =>
        Prop.ForAll(Choice(), ArbMap.Default.ArbFor<int>(), (c, where) =>
        {
            byte[] packet = Create(c.Geometry, c.Hops, c.Seed, out _);
            int bit = (int)((uint)where % (uint)(c.Geometry.PayloadLength * 8));
            packet[c.Geometry.HeaderLength + (bit / 8)] ^= (byte)(1 << (bit % 8));
            UnwrapResult result = _network.UnwrapAll(c.Geometry, c.Hops, packet, out _);
            return (result == UnwrapResult.PayloadTagMismatch).Label($"bit {bit}: {result}");
        });

    [Property(MaxTest = 25)]
    public Property Surb_replies_round_trip() =>
        Prop.ForAll(Choice(), c =>
        {
            SphinxGeometry g = c.Geometry;
            byte[] surb = new byte[g.SurbLength];
            byte[] keys = new byte[SphinxGeometry.SurbKeysLength(c.Hops)];
            SurbBuilder.CreateSurb(g, _network.Route(c.Hops, surbReply: true), surb, keys);
            byte[] message = Message(g, c.Seed);
            byte[] packet = new byte[g.PacketLength];
            SurbBuilder.CreateReply(g, surb, message, packet, out Bytes32 firstHop);

            bool ok = firstHop.AsReadOnlySpan().SequenceEqual(_network.Id(0))
                && _network.UnwrapAll(g, c.Hops, packet, out UnwrappedPacket last) == UnwrapResult.Success
                && last.Kind == UnwrappedKind.SurbReply
                && last.Commands.SurbId.AsReadOnlySpan().SequenceEqual(TestNetwork.SurbId)
                && SurbBuilder.TryDecryptReply(g, keys, last.Payload(packet)) == ReplyDecryptResult.Success
                && last.Payload(packet)[SphinxGeometry.PayloadTagLength..].SequenceEqual(message);
            return ok.Label($"{g}, {c.Hops} hops");
        });

    [Fact]
    public void Reply_with_the_wrong_keys_fails_the_tag()
    {
        SphinxGeometry g = SphinxGeometry.KatzenpostVectors;
        byte[] surb = new byte[g.SurbLength];
        byte[] keys = new byte[SphinxGeometry.SurbKeysLength(3)];
        SurbBuilder.CreateSurb(g, _network.Route(3, surbReply: true), surb, keys);
        byte[] packet = new byte[g.PacketLength];
        SurbBuilder.CreateReply(g, surb, Message(g, 1), packet, out _);
        Assert.Equal(UnwrapResult.Success, _network.UnwrapAll(g, 3, packet, out UnwrappedPacket last));

        keys[^1] ^= 1;
        Assert.Equal(ReplyDecryptResult.PayloadTagMismatch, SurbBuilder.TryDecryptReply(g, keys, last.Payload(packet).ToArray()));
        Assert.Equal(ReplyDecryptResult.InvalidLength, SurbBuilder.TryDecryptReply(g, keys, new byte[10]));
        Assert.Equal(ReplyDecryptResult.InvalidKeys, SurbBuilder.TryDecryptReply(g, keys.AsSpan(1), new byte[g.PayloadLength]));
        Assert.Equal(ReplyDecryptResult.InvalidKeys, SurbBuilder.TryDecryptReply(g, new byte[64], new byte[g.PayloadLength]));
    }

    private static Arbitrary<(SphinxGeometry Geometry, int Hops, int Seed)> Choice() =>
        (from g in Gen.Choose(0, Geometries.Length - 1)
         from h in Gen.Choose(1, Geometries[g].NrHops)
         from s in Gen.Choose(0, int.MaxValue)
         select (Geometries[g], h, s)).ToArbitrary();

    private bool RoundTrip(SphinxGeometry geometry, int hops, int seed)
    {
        byte[] packet = Create(geometry, hops, seed, out byte[] message);
        return _network.UnwrapAll(geometry, hops, packet, out UnwrappedPacket last) == UnwrapResult.Success
            && last.Kind == UnwrappedKind.Deliver
            && last.Commands.RecipientId.AsReadOnlySpan().SequenceEqual(TestNetwork.RecipientId)
            && last.Payload(packet).SequenceEqual(message);
    }

    private byte[] Create(SphinxGeometry geometry, int hops, int seed, out byte[] message)
    {
        message = Message(geometry, seed);
        byte[] packet = new byte[geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(geometry, _network.Route(hops), message, packet);
        return packet;
    }

    private static byte[] Message(SphinxGeometry geometry, int seed)
    {
        byte[] message = new byte[geometry.ForwardPayloadLength];
        new Random(seed).NextBytes(message);
        return message;
    }
}
