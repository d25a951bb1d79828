using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx.Tests.Packets;

/// <summary>
/// UnwrapBatch, and unwrapping with the re-blinding deferred (one by one or batched) then re-blinding, must be
/// indistinguishable from Unwrap on each packet: same results, same bytes left in every buffer.
/// </summary>
public sealed class SphinxUnwrapBatchTests : IDisposable
{
    private static readonly SphinxGeometry Geometry = SphinxGeometry.Default;
    private readonly TestNetwork _network = new(5);

    public void Dispose() => _network.Dispose();

    /// <summary>Kinds of packet a node may be handed, good and bad.</summary>
    public enum Kind
    {
        ForwardFirstHop,
        DeliverLastHop,
        SurbReplyLastHop,
        OtherNodesKey,
        BadVersion,
        WrongLength,
        LowOrderAlpha,
        TamperedMac,
        TamperedPayloadAtExit,
    }

    [Fact]
    public void A_batch_of_every_kind_matches_one_by_one()
    {
        Kind[] kinds = [Kind.ForwardFirstHop, Kind.DeliverLastHop, Kind.SurbReplyLastHop, Kind.OtherNodesKey, Kind.BadVersion, Kind.WrongLength, Kind.LowOrderAlpha, Kind.ForwardFirstHop];
        AssertBatchMatchesSingles(kinds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    public void Batches_of_forward_packets_of_any_size_match(int size) =>
        AssertBatchMatchesSingles([.. Enumerable.Repeat(Kind.ForwardFirstHop, size)]);

    [Fact]
    public void A_batch_where_only_one_packet_goes_on_matches() =>
        AssertBatchMatchesSingles([Kind.DeliverLastHop, Kind.ForwardFirstHop, Kind.OtherNodesKey, Kind.TamperedPayloadAtExit]);

    [Property(MaxTest = 40)]
    public Property Random_batches_match_one_by_one()
    {
        Gen<Kind[]> batches = Gen.Elements(Enum.GetValues<Kind>()).ArrayOf().Where(a => a.Length <= SphinxUnwrapper.MaxBatch);
        return Prop.ForAll(Arb.From(batches), kinds => AssertBatchMatchesSingles(kinds));
    }

    [Fact]
    public void More_than_eight_packets_are_refused()
    {
        var packets = new Memory<byte>[9];
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SphinxUnwrapper.UnwrapBatch(Geometry, _network.Key(0), packets, new UnwrapResult[9], new UnwrappedPacket[9]));
    }

    [Fact]
    public void Forwarded_packets_from_a_batch_unwrap_at_the_next_hops()
    {
        var packets = new Memory<byte>[SphinxUnwrapper.MaxBatch];
        byte[][] messages = new byte[packets.Length][];
        for (int i = 0; i < packets.Length; i++)
        {
            messages[i] = new byte[Geometry.ForwardPayloadLength];
            Random.Shared.NextBytes(messages[i]);
            byte[] packet = new byte[Geometry.PacketLength];
            SphinxPacketBuilder.CreatePacket(Geometry, _network.Route(5), messages[i], packet);
            packets[i] = packet;
        }

        var results = new UnwrapResult[packets.Length];
        var unwrapped = new UnwrappedPacket[packets.Length];
        for (int hop = 0; hop < 5; hop++)
        {
            SphinxUnwrapper.UnwrapBatch(Geometry, _network.Key(hop), packets, results, unwrapped);
            Assert.All(results, r => Assert.Equal(UnwrapResult.Success, r));
            Assert.All(unwrapped, u => Assert.Equal(hop < 4 ? UnwrappedKind.Forward : UnwrappedKind.Deliver, u.Kind));
        }

        for (int i = 0; i < packets.Length; i++)
        {
            Assert.Equal(messages[i], unwrapped[i].Payload(packets[i].Span).ToArray());
        }
    }

    [Property(MaxTest = 40)]
    public Property Deferred_blinding_then_ReBlind_matches_Unwrap()
    {
        Gen<Kind[]> batches = Gen.Elements(Enum.GetValues<Kind>()).ArrayOf().Where(a => a.Length <= SphinxUnwrapper.MaxBatch);
        return Prop.ForAll(Arb.From(batches), kinds => AssertDeferredMatchesSingles(kinds, batched: false) && AssertDeferredMatchesSingles(kinds, batched: true));
    }

    [Fact]
    public void A_forward_packet_keeps_its_alpha_until_it_is_re_blinded()
    {
        byte[] packet = Make(Kind.ForwardFirstHop);
        byte[] alpha = packet[2..34];
        byte[] factor = new byte[SphinxUnwrapper.BlindingFactorLength];

        Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.UnwrapDeferringBlinding(Geometry, _network.Key(0), packet, factor, out UnwrappedPacket unwrapped));
        Assert.Equal(UnwrappedKind.Forward, unwrapped.Kind);
        Assert.Equal(alpha, packet[2..34]);
        Assert.True(SphinxUnwrapper.ReBlind(packet, factor));
        Assert.NotEqual(alpha, packet[2..34]);
        Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(Geometry, _network.Key(1), packet, out _));
    }

    [Fact]
    public void Re_blinding_reports_the_identity_and_leaves_alpha()
    {
        byte[] packet = Make(Kind.LowOrderAlpha);
        byte[] factor = new byte[SphinxUnwrapper.BlindingFactorLength];
        factor[0] = 8;

        Assert.False(SphinxUnwrapper.ReBlind(packet, factor));
        Assert.Equal(1, SphinxUnwrapper.ReBlindBatch(new Memory<byte>[] { packet }, factor));
        Assert.Equal(0b10, SphinxUnwrapper.ReBlindBatch(new Memory<byte>[] { Make(Kind.ForwardFirstHop), packet }, [.. factor, .. factor]));
        Assert.All(packet[2..34], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Deferred_batches_refuse_more_than_eight_packets_or_too_few_factors()
    {
        var packets = new Memory<byte>[9];
        byte[] factors = new byte[9 * SphinxUnwrapper.BlindingFactorLength];
        Assert.Throws<ArgumentOutOfRangeException>(() => SphinxUnwrapper.ReBlindBatch(packets, factors));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SphinxUnwrapper.UnwrapBatchDeferringBlinding(Geometry, _network.Key(0), packets, new UnwrapResult[9], new UnwrappedPacket[9], factors));
        Assert.Throws<ArgumentOutOfRangeException>(() => SphinxUnwrapper.ReBlindBatch(packets[..2], factors[..40]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SphinxUnwrapper.UnwrapDeferringBlinding(Geometry, _network.Key(0), Make(Kind.ForwardFirstHop), factors[..31], out _));
    }

    /// <summary>Unwrap with the blinding deferred (per packet, or as a batch), then re-blind the forwards (as one batch).</summary>
    private bool AssertDeferredMatchesSingles(Kind[] kinds, bool batched)
    {
        byte[][] deferred = [.. kinds.Select(Make)];
        byte[][] singles = [.. deferred.Select(p => (byte[])p.Clone())];
        int length = SphinxUnwrapper.BlindingFactorLength;
        byte[] factors = new byte[SphinxUnwrapper.MaxBatch * length];
        var results = new UnwrapResult[kinds.Length];
        var unwrapped = new UnwrappedPacket[kinds.Length];
        Memory<byte>[] memories = [.. deferred.Select(p => (Memory<byte>)p)];
        if (batched)
        {
            SphinxUnwrapper.UnwrapBatchDeferringBlinding(Geometry, _network.Key(0), memories, results, unwrapped, factors);
        }
        else
        {
            for (int i = 0; i < kinds.Length; i++)
            {
                results[i] = SphinxUnwrapper.UnwrapDeferringBlinding(Geometry, _network.Key(0), deferred[i], factors.AsSpan(i * length, length), out unwrapped[i]);
            }
        }

        int[] forwards = [.. Enumerable.Range(0, kinds.Length).Where(i => results[i] == UnwrapResult.Success && unwrapped[i].Kind == UnwrappedKind.Forward)];
        byte[] forwardFactors = [.. forwards.SelectMany(i => factors.AsSpan(i * length, length).ToArray())];
        Assert.Equal(0, SphinxUnwrapper.ReBlindBatch([.. forwards.Select(i => memories[i])], forwardFactors));

        return AssertSameAsUnwrap(kinds, singles, deferred, results, unwrapped, batched ? "deferred, batched" : "deferred");
    }

    private bool AssertBatchMatchesSingles(Kind[] kinds)
    {
        byte[][] batch = [.. kinds.Select(Make)];
        byte[][] singles = [.. batch.Select(p => (byte[])p.Clone())];
        var results = new UnwrapResult[kinds.Length];
        var unwrapped = new UnwrappedPacket[kinds.Length];
        Memory<byte>[] memories = [.. batch.Select(p => (Memory<byte>)p)];
        SphinxUnwrapper.UnwrapBatch(Geometry, _network.Key(0), memories, results, unwrapped);
        return AssertSameAsUnwrap(kinds, singles, batch, results, unwrapped, "batch");
    }

    /// <summary>Unwraps each of <paramref name="singles"/> (copies of the inputs) alone and compares with what the other way gave.</summary>
    private bool AssertSameAsUnwrap(Kind[] kinds, byte[][] singles, byte[][] buffers, UnwrapResult[] results, UnwrappedPacket[] unwrapped, string how)
    {
        for (int i = 0; i < kinds.Length; i++)
        {
            UnwrapResult single = SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), singles[i], out UnwrappedPacket expected);
            Assert.True(single == results[i], $"packet {i} ({kinds[i]}): {how} {results[i]}, single {single}");
            Assert.Equal(expected, unwrapped[i]);
            Assert.True(singles[i].AsSpan().SequenceEqual(buffers[i]), $"packet {i} ({kinds[i]}, {how}): the buffers differ");
        }

        return true;
    }

    private byte[] Make(Kind kind)
    {
        byte[] message = new byte[Geometry.ForwardPayloadLength];
        Random.Shared.NextBytes(message);
        byte[] packet = new byte[Geometry.PacketLength];
        switch (kind)
        {
            case Kind.DeliverLastHop or Kind.TamperedPayloadAtExit:
                SphinxPacketBuilder.CreatePacket(Geometry, _network.Route(1), message, packet);
                if (kind == Kind.TamperedPayloadAtExit)
                {
                    packet[^1] ^= 1;
                }

                return packet;
            case Kind.SurbReplyLastHop:
                SphinxPacketBuilder.CreatePacket(Geometry, _network.Route(1, surbReply: true), message, packet);
                return packet;
            case Kind.OtherNodesKey:
                SphinxPacketBuilder.CreatePacket(Geometry, _network.Route(5)[1..], message, packet);
                return packet;
            case Kind.WrongLength:
                return new byte[Geometry.PacketLength - 1];
            default:
                SphinxPacketBuilder.CreatePacket(Geometry, _network.Route(5), message, packet);
                break;
        }

        switch (kind)
        {
            case Kind.BadVersion:
                packet[1] = 1;
                break;
            case Kind.LowOrderAlpha:
                packet.AsSpan(2, 32).Clear();
                break;
            case Kind.TamperedMac:
                packet[Geometry.MacCoveredLength] ^= 1;
                break;
        }

        return packet;
    }
}
