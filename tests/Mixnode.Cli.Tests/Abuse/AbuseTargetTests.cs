using System.Buffers.Binary;
using System.Net;
using Mixnode.Cli.Abuse;

namespace Mixnode.Cli.Tests.Abuse;

public sealed class AbuseTargetTests
{
    [Theory]
    [InlineData("127.0.0.1:30000", true)]
    [InlineData("127.9.8.7:1", true)]
    [InlineData("[::1]:30000", true)]
    [InlineData("localhost:30000", true)]
    [InlineData("10.0.0.1:30000", false)]
    [InlineData("0.0.0.0:30000", false)]
    [InlineData("[2001:db8::1]:30000", false)]
    [InlineData("mix.example.org:30000", false)]
    [InlineData("not an address", false)]
    public void Only_loopback_hosts_count_as_this_machine(string address, bool loopback) =>
        Assert.Equal(loopback, AbuseTarget.IsLoopback(address));

    [Fact]
    public void Sources_are_loopback_addresses_of_one_24_taken_in_turn()
    {
        var sources = new AbuseSources(3);
        Assert.Equal(IPAddress.Parse("127.0.1.1"), sources.Address(0));
        Assert.Equal(IPAddress.Parse("127.0.1.3"), sources.Address(2));
        Assert.Equal(IPAddress.Parse("127.0.1.1"), sources.Address(3));
        Assert.Equal(IPAddress.Parse("127.0.1.250"), new AbuseSources(AbuseSources.Max).Address(AbuseSources.Max - 1));
    }

    [Fact]
    public void A_first_handshake_message_is_a_length_and_32_random_bytes()
    {
        byte[] a = HandshakesAbuse.FirstMessage();
        byte[] b = HandshakesAbuse.FirstMessage();
        Assert.Equal(2 + HandshakesAbuse.FirstMessageLength, a.Length);
        Assert.Equal(HandshakesAbuse.FirstMessageLength, BinaryPrimitives.ReadUInt16BigEndian(a));
        Assert.NotEqual(a, b);
    }
}
