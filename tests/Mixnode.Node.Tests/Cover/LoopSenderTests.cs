using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Cover;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Cover;

/// <summary>
/// A node's loops: their route crosses every layer once and ends at the node; the packet is a client packet in every
/// respect an observer or a hop can check (length, hop by hop: next hop, a delay drawn the same way, a 32-byte
/// recipient at the end); they come back counted per epoch; and they are sent as a Poisson stream on the clock.
/// </summary>
public sealed class LoopSenderTests : IDisposable
{
    private readonly Dictionary<Bytes32, X25519PrivateKey> _mixKeys = [];
    private readonly FakeTimeProvider _time = new(EpochClock.Origin + (EpochClock.DefaultPeriod * (TestNetwork.FirstEpoch + 0.5)));
    private readonly NetworkTopology _topology;

    public LoopSenderTests()
    {
        var descriptors = new List<NodeDescriptor> { Node("provider-0", NodeRole.Provider, 0), Node("provider-1", NodeRole.Provider, 0) };
        for (int layer = 0; layer < 3; layer++)
        {
            descriptors.Add(Node($"mix-{layer}-0", NodeRole.Mix, layer));
            descriptors.Add(Node($"mix-{layer}-1", NodeRole.Mix, layer));
        }

        var document = NetworkDocument.Create(descriptors, SphinxGeometry.Default, new MixingParameters(50, 2), EpochClock.DefaultPeriod, TestNetwork.FirstEpoch);
        _topology = new NetworkTopology(document, TestNetwork.RandomKey());
    }

    [Theory]
    [InlineData("provider-0", "0 1 2 self")]
    [InlineData("mix-0-1", "1 2 P self")]
    [InlineData("mix-1-0", "2 P 0 self")]
    [InlineData("mix-2-1", "P 0 1 self")]
    public void A_loop_crosses_every_layer_once_and_ends_at_its_node(string self, string expected)
    {
        NodeDescriptor node = NodeNamed(self);
        for (int trial = 0; trial < 20; trial++)
        {
            NodeDescriptor[] route = LoopRoute.Select(_topology, node);
            string shape = string.Join(' ', route.Select(n => n == node ? "self" : n.Role == NodeRole.Provider ? "P" : n.Layer.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(expected, shape);
        }
    }

    [Fact]
    public void A_loop_is_shaped_like_a_client_packet_hop_by_hop_and_counts_when_it_returns()
    {
        NodeDescriptor self = NodeNamed("mix-1-0");
        var mixer = new CapturingMixer();
        NodeMetrics metrics = TestMeterFactory.NewMetrics(out TestMeterFactory meters);
        using var _ = meters;
        var loops = new LoopTracker(metrics);
        using var sender = new LoopSender(() => _topology, self.Id, mixer, loops, metrics, NullLogger.Instance, _time);

        Assert.True(sender.TrySendOne());
        OutgoingPacket loop = Assert.Single(mixer.Taken);
        Assert.Equal((1, 0), loops.For(TestNetwork.FirstEpoch));

        // On the wire: exactly a packet of the network's geometry, as any client's.
        byte[] packet = loop.Buffer.AsSpan(0, _topology.Geometry.PacketLength).ToArray();
        Assert.Equal(SphinxGeometry.Default.PacketLength, packet.Length);

        // Hop by hop, what each node learns: a next hop and a delay (within the cap), then at the end a recipient.
        Bytes32 at = loop.NextNodeId;
        for (int hop = 0; ; hop++)
        {
            Assert.True(hop <= _topology.Layers.Length);
            Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(SphinxGeometry.Default, _mixKeys[at], packet, out UnwrappedPacket unwrapped));
            if (unwrapped.Kind == UnwrappedKind.Forward)
            {
                Assert.True(unwrapped.Commands.NodeDelayMs <= _topology.Mixing.MaxDelayMs);
                at = unwrapped.Commands.NextNodeId;
                continue;
            }

            Assert.Equal(UnwrappedKind.Deliver, unwrapped.Kind);
            Assert.Equal(self.Id, at);
            Assert.Equal(loops.RecipientId, unwrapped.Commands.RecipientId);
            loops.Returned(unwrapped.Payload(packet));
            break;
        }

        Assert.Equal((1, 1), loops.For(TestNetwork.FirstEpoch));
        Assert.Equal(1.0, loops.ReturnedRatio(TestNetwork.FirstEpoch));
    }

    [Fact]
    public void Under_a_pool_a_loop_asks_for_no_delay_and_under_poisson_its_delays_average_the_mean()
    {
        var pool = new MixingParameters(50, 1, MixingStrategy.TimedPool, PoolParameters.Default);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0u, LoopSender.NextDelayMs(pool)));

        var poisson = new MixingParameters(50, 1);
        double mean = Enumerable.Range(0, 20_000).Average(_ => (double)LoopSender.NextDelayMs(poisson));
        Assert.InRange(mean, 47, 53);
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(LoopSender.NextDelayMs(poisson) <= poisson.MaxDelayMs));
    }

    [Fact]
    public void Loops_are_sent_as_a_poisson_stream_on_the_clock_at_the_given_rate()
    {
        NodeDescriptor self = NodeNamed("provider-0");
        var mixer = new CapturingMixer();
        NodeMetrics metrics = TestMeterFactory.NewMetrics(out TestMeterFactory meters);
        using var _ = meters;
        var loops = new LoopTracker(metrics);
        using var sender = new LoopSender(() => _topology, self.Id, mixer, loops, metrics, NullLogger.Instance, _time, rateOverride: 20);
        sender.Start();
        Assert.Empty(mixer.Taken);

        for (int i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // 10 s at 20/s: 200 expected; a Poisson count stays within ±5 standard deviations (√200 ≈ 14) but for 1 in 10^6.
        Assert.InRange(mixer.Taken.Count, 130, 270);
        Assert.Equal(mixer.Taken.Count, loops.For(TestNetwork.FirstEpoch).Sent);
    }

    [Fact]
    public void Shortly_into_each_epoch_the_previous_epoch_s_returned_of_sent_is_logged_once()
    {
        NodeDescriptor self = NodeNamed("mix-2-1");
        var mixer = new CapturingMixer();
        NodeMetrics metrics = TestMeterFactory.NewMetrics(out TestMeterFactory meters);
        using var _ = meters;
        var loops = new LoopTracker(metrics);
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        using var sender = new LoopSender(() => _topology, self.Id, mixer, loops, metrics, logger, _time, rateOverride: 0.2);
        sender.Start();

        // To 2 minutes into the next epoch, a second at a time. The report rides on the loops' own Poisson ticks (0.2/s):
        // the chance that none falls in the 110 s after the 10 s grace is e^-22, never in practice.
        TimeSpan toNext = (EpochClock.Origin + (EpochClock.DefaultPeriod * (TestNetwork.FirstEpoch + 1))) - _time.GetUtcNow();
        for (int s = 0; s < (int)toNext.TotalSeconds + 120; s++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        long sent = loops.For(TestNetwork.FirstEpoch).Sent;
        Assert.True(sent > 0);
        var report = Assert.Single(logger.Collector.GetSnapshot(), r => r.Message.StartsWith("Loops of epoch", StringComparison.Ordinal));
        Assert.Equal($"Loops of epoch {TestNetwork.FirstEpoch}: 0 of {sent} came back", report.Message);
    }

    [Fact]
    public void With_no_route_through_the_network_no_loop_is_made()
    {
        NodeDescriptor lonely = TestNetwork.Node("p", NodeRole.Provider, 0, 1);
        NodeDescriptor mix = TestNetwork.Node("m", NodeRole.Mix, 0, 2);
        var document = NetworkDocument.Create([lonely, mix], SphinxGeometry.Default, new MixingParameters(50, 1), EpochClock.DefaultPeriod, TestNetwork.FirstEpoch);
        var topology = new NetworkTopology(document, TestNetwork.RandomKey());
        NodeMetrics metrics = TestMeterFactory.NewMetrics(out TestMeterFactory meters);
        using var _ = meters;
        var mixer = new CapturingMixer();

        // An unknown node (not in the document) sends nothing.
        using var stranger = new LoopSender(() => topology, TestNetwork.RandomKey(), mixer, new LoopTracker(metrics), metrics, NullLogger.Instance, _time);
        Assert.False(stranger.TrySendOne());
        Assert.Empty(mixer.Taken);
    }

    public void Dispose()
    {
        foreach (X25519PrivateKey key in _mixKeys.Values)
        {
            key.Dispose();
        }
    }

    private NodeDescriptor NodeNamed(string name) => _topology.Document.AllNodes.Single(n => n.Name == name);

    private NodeDescriptor Node(string name, NodeRole role, int layer)
    {
        var key = X25519PrivateKey.Generate();
        var descriptor = new NodeDescriptor(
            name,
            TestNetwork.RandomKey(),
            TestNetwork.RandomKey(),
            [$"127.0.0.1:{30000 + _mixKeys.Count}"],
            role,
            role == NodeRole.Provider ? NodeDescriptor.NoLayer : layer,
            Enumerable.Range(0, 3).Select(i => new KeyValuePair<long, Bytes32>(TestNetwork.FirstEpoch + i, Bytes32.From(key.PublicKey))));
        _mixKeys[descriptor.Id] = key;
        return descriptor;
    }

    private sealed class CapturingMixer : IMixer
    {
        public List<OutgoingPacket> Taken { get; } = [];

        public bool HonoursDelays => true;

        public int Count => Taken.Count;

        public bool TryEnqueue(in OutgoingPacket packet)
        {
            lock (Taken)
            {
                Taken.Add(packet);
            }

            return true;
        }

        public List<OutgoingPacket> Drain() => [];

        public void Dispose()
        {
        }
    }
}
