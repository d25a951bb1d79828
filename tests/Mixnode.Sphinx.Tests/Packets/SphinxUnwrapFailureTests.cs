using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx.Tests.Packets;

/// <summary>Each failure of unwrap is its own result; none throws, none touches bytes outside the buffer.</summary>
public sealed class SphinxUnwrapFailureTests : IDisposable
{
    private static readonly SphinxGeometry Geometry = SphinxGeometry.KatzenpostVectors;
    private readonly TestNetwork _network = new(5);

    public void Dispose() => _network.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(610)]
    [InlineData(612)]
    [InlineData(3082)]
    public void Wrong_length_is_invalid_length(int length) =>
        Assert.Equal(UnwrapResult.InvalidLength, SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), new byte[length], out _));

    [Fact]
    public void Unknown_version_is_refused_before_any_crypto()
    {
        byte[] packet = Valid();
        packet[1] = 1;
        Assert.Equal(UnwrapResult.InvalidVersion, SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), packet, out _));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    public void Low_order_alpha_is_an_invalid_group_element(string alpha)
    {
        byte[] packet = Valid();
        Convert.FromHexString(alpha).CopyTo(packet, 2);
        Assert.Equal(UnwrapResult.InvalidGroupElement, SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), packet, out _));
    }

    [Fact]
    public void Another_nodes_key_is_a_mac_mismatch_and_leaves_the_buffer_untouched()
    {
        byte[] packet = Valid();
        byte[] before = (byte[])packet.Clone();
        Assert.Equal(UnwrapResult.MacMismatch, SphinxUnwrapper.Unwrap(Geometry, _network.Key(1), packet, out UnwrappedPacket result));
        Assert.Equal(before, packet);
        Assert.Equal(default, result.ReplayTag);

        // So the right key (another epoch's, on a node) still works on the same buffer.
        Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), packet, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x7f })]
    [InlineData(new byte[] { 0x00, 0x01 })]
    [InlineData(new byte[] { 0x80, 0, 0, 0, 1, 0x80, 0, 0, 0, 2 })]
    public void Malformed_commands_behind_a_valid_mac_are_refused(byte[] block)
    {
        byte[] packet = HandmadePacket.WithRoutingBlock(Geometry, _network.Key(0).PublicKey, block);
        Assert.Equal(UnwrapResult.MalformedCommands, SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), packet, out _));
    }

    [Fact]
    public void Truncated_next_hop_at_the_end_of_the_block_is_malformed()
    {
        // A Recipient, then a NextNodeHop whose 64-byte body would need 16 bytes more than the block has.
        byte[] block = new byte[SphinxGeometry.PerHopRoutingInfoLength];
        block[0] = (byte)RoutingCommandTag.Recipient;
        block[33] = (byte)RoutingCommandTag.NextNodeHop;
        byte[] packet = HandmadePacket.WithRoutingBlock(Geometry, _network.Key(0).PublicKey, block);
        Assert.Equal(UnwrapResult.MalformedCommands, SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), packet, out _));
    }

    [Fact]
    public void Altered_payload_fails_the_tag_at_the_exit()
    {
        byte[] packet = Valid();
        packet[^1] ^= 0x40;
        Assert.Equal(UnwrapResult.PayloadTagMismatch, _network.UnwrapAll(Geometry, 3, packet, out _));
    }

    [Property(MaxTest = 300)]
    public Property Random_bytes_of_any_length_never_throw() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<bool>(), (bytes, full) =>
        {
            byte[] packet = bytes;
            if (full)
            {
                // Right length and version: the MAC (or the group element) must stop it.
                packet = new byte[Geometry.PacketLength];
                bytes.AsSpan(0, Math.Min(bytes.Length, packet.Length)).CopyTo(packet);
                packet[0] = 0;
                packet[1] = 0;
            }

            UnwrapResult result = SphinxUnwrapper.Unwrap(Geometry, _network.Key(0), packet, out _);
            return full
                ? result is UnwrapResult.MacMismatch or UnwrapResult.InvalidGroupElement
                : result != UnwrapResult.Success;
        });

    [Fact]
    public void Unwrap_allocates_nothing()
    {
        SphinxGeometry g = SphinxGeometry.Default;
        byte[] template = new byte[g.PacketLength];
        SphinxPacketBuilder.CreatePacket(g, _network.Route(5), new byte[g.ForwardPayloadLength], template);
        byte[] work = new byte[template.Length];
        X25519PrivateKey key = _network.Key(0);

        for (int i = 0; i < 20; i++)
        {
            template.CopyTo(work, 0);
            Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(g, key, work, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            template.CopyTo(work, 0);
            SphinxUnwrapper.Unwrap(g, key, work, out _);
            work[0] = 9;
            SphinxUnwrapper.Unwrap(g, key, work, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Creation_refuses_impossible_routes_with_a_reason()
    {
        byte[] packet = new byte[Geometry.PacketLength];
        byte[] message = new byte[Geometry.ForwardPayloadLength];
        Assert.Contains("1 to 5 hops", Assert.Throws<ArgumentException>(() => SphinxPacketBuilder.CreatePacket(Geometry, [], message, packet)).Message, StringComparison.Ordinal);
        using var big = new TestNetwork(6);
        Assert.Throws<ArgumentException>(() => SphinxPacketBuilder.CreatePacket(Geometry, big.Route(6), message, packet));
        Assert.Contains("exactly 103", Assert.Throws<ArgumentException>(() => SphinxPacketBuilder.CreatePacket(Geometry, _network.Route(2), new byte[5], packet)).Message, StringComparison.Ordinal);

        PathHop[] route = _network.Route(2);
        route[0] = new PathHop(route[0].NodeId.AsReadOnlySpan(), route[0].PublicKey.AsReadOnlySpan(), RoutingCommands.ToRecipient(new byte[32]));
        Assert.Contains("only 17 fit", Assert.Throws<ArgumentException>(() => SphinxPacketBuilder.CreatePacket(Geometry, route, message, packet)).Message, StringComparison.Ordinal);

        route = _network.Route(2);
        route[1] = new PathHop(route[1].NodeId.AsReadOnlySpan(), new byte[32], route[1].Commands);
        Assert.Contains("low-order", Assert.Throws<ArgumentException>(() => SphinxPacketBuilder.CreatePacket(Geometry, route, message, packet)).Message, StringComparison.Ordinal);
    }

    private byte[] Valid()
    {
        byte[] packet = new byte[Geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(Geometry, _network.Route(3), new byte[Geometry.ForwardPayloadLength], packet);
        return packet;
    }
}
