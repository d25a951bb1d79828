namespace Mixnode.Sphinx.Tests.Packets;

public sealed class SphinxGeometryTests
{
    [Fact]
    public void Default_geometry_is_katzenposts_3082_byte_packet()
    {
        SphinxGeometry g = SphinxGeometry.Default;
        Assert.Equal(5, g.NrHops);
        Assert.Equal(410, g.RoutingInfoLength);
        Assert.Equal(476, g.HeaderLength);
        Assert.Equal(572, g.SurbLength);
        Assert.Equal(2574, g.ForwardPayloadLength);
        Assert.Equal(3082, g.PacketLength);
    }

    [Fact]
    public void Vector_geometry_is_611_bytes()
    {
        Assert.Equal(611, SphinxGeometry.KatzenpostVectors.PacketLength);
        Assert.Equal(103, SphinxGeometry.KatzenpostVectors.ForwardPayloadLength);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(-1, 100)]
    [InlineData(SphinxGeometry.MaxHops + 1, 100)]
    [InlineData(5, -1)]
    [InlineData(5, SphinxGeometry.MaxForwardPayloadLength + 1)]
    [InlineData(int.MaxValue, int.MaxValue)]
    public void Impossible_geometries_are_refused_with_the_reason(int hops, int payload)
    {
        var e = Assert.Throws<ArgumentException>(() => new SphinxGeometry(hops, payload));
        Assert.Contains(hops is < 1 or > SphinxGeometry.MaxHops ? "NrHops" : "ForwardPayloadLength", e.Message, StringComparison.Ordinal);
        Assert.NotNull(SphinxGeometry.TryValidate(hops, payload));
    }

    [Fact]
    public void User_payload_sizing_adds_a_length_prefix_and_a_surb()
    {
        Assert.Equal(2000, SphinxGeometry.WithUserPayload(5, 2000, withSurb: false).ForwardPayloadLength);
        Assert.Throws<ArgumentException>(() => SphinxGeometry.WithUserPayload(5, -3, withSurb: true));
        Assert.Throws<ArgumentException>(() => SphinxGeometry.WithUserPayload(0, 10, withSurb: true));
    }

    [Fact]
    public void Surb_keys_length_is_64_per_hop_plus_the_surb_key() =>
        Assert.Equal(192, SphinxGeometry.SurbKeysLength(2));
}
