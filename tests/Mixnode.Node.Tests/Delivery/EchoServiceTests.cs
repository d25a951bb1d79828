using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Clients;
using Mixnode.Node.Delivery;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Delivery;

/// <summary>
/// Echo replies are packets the provider makes on nobody's account: they have a budget of their own, and a message
/// beyond it gets no reply and is counted (reason echo_limit) instead of being answered at any rate asked.
/// </summary>
public sealed class EchoServiceTests : IDisposable
{
    private static readonly SphinxGeometry s_geometry = SphinxGeometry.Default;
    private readonly FakeTimeProvider _time = new();
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;

    public EchoServiceTests() => _metrics = TestMeterFactory.NewMetrics(out _meters);

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Replies_beyond_the_echo_rate_are_refused_and_counted_until_the_budget_refills()
    {
        using var dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
        var forwarder = new RecordingForwarder(_time);
        int toSelf = 0;
        var echo = new EchoService(s_geometry, TestNetwork.RandomKey(), (packet, _) => { toSelf++; PacketBuffers.Return(packet); }, forwarder, _time,
            new TokenBucket(rate: 2, burst: 3, _time).TryTake, _metrics);
        byte[] message = EchoMessage();

        for (int i = 0; i < 5; i++)
        {
            Assert.True(echo.TryReply(message));
        }

        Assert.Equal(3, forwarder.Forwarded.Count + toSelf);
        IReadOnlyList<CollectedMeasurement<long>> drops = dropped.GetMeasurementSnapshot();
        Assert.Equal(2, drops.Sum(m => m.Value));
        Assert.All(drops, m => Assert.Equal("echo_limit", m.Tags["reason"]));

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(echo.TryReply(message));
        Assert.Equal(4, forwarder.Forwarded.Count + toSelf);
        Assert.Equal(2, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    /// <summary>A SURB for a one-hop route to some other node, then a body: what a client sends to the echo recipient.</summary>
    private static byte[] EchoMessage()
    {
        using X25519PrivateKey mixKey = X25519PrivateKey.Generate();
        Bytes32 node = TestNetwork.RandomKey();
        PathHop[] path = [new PathHop(node.AsReadOnlySpan(), mixKey.PublicKey, RoutingCommands.ToRecipient(TestNetwork.RandomKey().AsReadOnlySpan()).WithSurbReply(RandomNumberGenerator.GetBytes(16)))];
        byte[] message = new byte[s_geometry.ForwardPayloadLength];
        byte[] surbKeys = new byte[SphinxGeometry.SurbKeysLength(1)];
        SurbBuilder.CreateSurb(s_geometry, path, message.AsSpan(0, s_geometry.SurbLength), surbKeys);
        RandomNumberGenerator.Fill(message.AsSpan(s_geometry.SurbLength));
        return message;
    }
}
