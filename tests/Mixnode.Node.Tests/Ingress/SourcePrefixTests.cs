using System.Net;
using Mixnode.Node.Ingress;

namespace Mixnode.Node.Tests.Ingress;

/// <summary>The unit limits are counted in: IPv4 /24, IPv6 /64, an IPv4-mapped IPv6 address as its IPv4 address.</summary>
public sealed class SourcePrefixTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.254")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.9")]
    public void Addresses_in_one_prefix_are_one_source(string a, string b) =>
        Assert.Equal(SourcePrefix.Of(IPAddress.Parse(a)), SourcePrefix.Of(IPAddress.Parse(b)));

    [Theory]
    [InlineData("192.0.2.1", "192.0.3.1")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1")]
    [InlineData("10.0.0.1", "0:0:a::1")]
    [InlineData("10.0.0.1", "::a00:1")]
    public void Addresses_in_different_prefixes_are_different_sources(string a, string b) =>
        Assert.NotEqual(SourcePrefix.Of(IPAddress.Parse(a)), SourcePrefix.Of(IPAddress.Parse(b)));
}
