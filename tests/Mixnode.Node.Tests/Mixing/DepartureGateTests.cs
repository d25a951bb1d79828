using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Both mixers ask the <see cref="IDepartureGate"/> for every packet as it leaves: a packet the gate refuses is not
/// forwarded, is counted as dropped (reason malformed), and its buffer goes back to the pool. Drain closes the gate.
/// </summary>
public sealed class DepartureGateTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly CollectingForwarder _forwarder;
    private readonly MetricCollector<long> _dropped;

    public DepartureGateTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new CollectingForwarder(_time);
        _dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
    }

    public void Dispose()
    {
        _dropped.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public void Stop_and_go_forwards_only_what_the_gate_passes_and_counts_the_rest_as_malformed()
    {
        var gate = new RecordingDepartureGate(1, 3, 5);
        using var mixer = new StopAndGoMixer(16, _time, _forwarder, _metrics, gate: gate, random: new SeededShuffleRandom(1));
        for (int id = 0; id < 5; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.FromMilliseconds(10))));
        }

        // Nothing is asked of the gate before the packet's time.
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Empty(gate.Asked);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        // A packet already due leaves on arrival, through the gate as well.
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(5, _time, TimeSpan.Zero)));

        Assert.Equal([0, 2, 4], _forwarder.Ids().Order());
        Assert.Equal([0, 1, 2, 3, 4, 5], gate.Asked.Order());
        AssertDroppedAsMalformed(3);
    }

    [Fact]
    public void Pool_forwards_only_what_the_gate_passes_and_counts_the_rest_as_malformed()
    {
        var gate = new RecordingDepartureGate(1, 3);
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(10), threshold: 0, minPool: 0, fraction: 1);
        using var mixer = new TimedPoolMixer(parameters, 16, _time, _forwarder, _metrics, gate, new SeededShuffleRandom(1));
        for (int id = 0; id < 5; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }

        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Empty(gate.Asked);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal([0, 2, 4], _forwarder.Ids().Order());
        Assert.Equal([0, 1, 2, 3, 4], gate.Asked.Order());
        AssertDroppedAsMalformed(2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_packet_the_gate_refuses_has_its_buffer_returned_to_the_packet_pool(bool pool)
    {
        var gate = new RecordingDepartureGate(7);
        using IMixer mixer = pool
            ? new TimedPoolMixer(new PoolParameters(TimeSpan.FromMilliseconds(10), 0, 0, 1), 16, _time, _forwarder, _metrics, gate)
            : new StopAndGoMixer(16, _time, _forwarder, _metrics, gate: gate);
        var packet = MixerPackets.Make(7, _time, TimeSpan.FromMilliseconds(10));

        // Empty this thread's one-buffer cache, so the next buffer returned on this thread is the next one rented here.
        _ = PacketBuffers.Rent(1);
        Assert.True(mixer.TryEnqueue(packet));
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Empty(_forwarder.Departures);
        Assert.Same(packet.Buffer, PacketBuffers.Rent(packet.Buffer.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Drain_closes_the_gate(bool pool)
    {
        var gate = new RecordingDepartureGate();
        using IMixer mixer = pool
            ? new TimedPoolMixer(PoolParameters.Default, 64, _time, _forwarder, _metrics, gate)
            : new StopAndGoMixer(16, _time, _forwarder, _metrics, gate: gate);
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(1, _time, TimeSpan.FromSeconds(1))));
        Assert.False(gate.Closed);

        Assert.Single(mixer.Drain());

        Assert.True(gate.Closed);
        Assert.Empty(gate.Asked);
    }

    private void AssertDroppedAsMalformed(int count)
    {
        IReadOnlyList<CollectedMeasurement<long>> drops = _dropped.GetMeasurementSnapshot();
        Assert.Equal(count, drops.Sum(m => m.Value));
        Assert.All(drops, m => Assert.Equal("malformed", m.Tags["reason"]));
    }
}
