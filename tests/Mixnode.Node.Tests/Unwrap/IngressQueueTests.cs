using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mixnode.Node.Unwrap;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>The hand-off from links to workers: bounded, and on overload it drops (counted) instead of waiting.</summary>
public sealed class IngressQueueTests : IDisposable
{
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;

    public IngressQueueTests() => _metrics = TestMeterFactory.NewMetrics(out _meters);

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Beyond_capacity_packets_are_dropped_and_counted_without_blocking()
    {
        using var received = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.received");
        using var dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
        var queue = new IngressQueue(16, _metrics);
        for (int i = 0; i < 16; i++)
        {
            queue.Enqueue(new IngressPacket(Rent((byte)i), 8, i));
        }

        // Enqueue is synchronous: had it waited for room, these calls would never return.
        byte[] overflow = Rent(0xee);
        queue.Enqueue(new IngressPacket(overflow, 8, 100));

        // The dropped packet's buffer went back to the pool: the next rent of that size on this thread gets it.
        Assert.Same(overflow, PacketBuffers.Rent(overflow.Length));
        queue.Enqueue(new IngressPacket(overflow, 8, 101));

        Assert.Equal(18, received.GetMeasurementSnapshot().Sum(m => m.Value));
        IReadOnlyList<CollectedMeasurement<long>> drops = dropped.GetMeasurementSnapshot();
        Assert.Equal(2, drops.Sum(m => m.Value));
        Assert.All(drops, m => Assert.Equal("overload", m.Tags["reason"]));

        // The first sixteen are still there, in order; the overflow is not.
        var taken = new List<long>();
        while (queue.Reader.TryRead(out IngressPacket packet))
        {
            taken.Add(packet.ReceivedTimestamp);
            PacketBuffers.Return(packet.Buffer);
        }

        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), taken);
    }

    [Fact]
    public void A_burst_tells_the_workers_once_at_its_end_and_an_empty_burst_not_at_all()
    {
        var queue = new IngressQueue(16, _metrics);
        int perPacket = 0;
        int bursts = 0;
        queue.PacketAvailable = () => perPacket++;
        queue.BurstEnded = () => bursts++;

        queue.EndOfBurst();
        Assert.Equal(0, bursts);

        queue.EnqueueInBurst(new IngressPacket(Rent(1), 8, 0));
        queue.EnqueueInBurst(new IngressPacket(Rent(2), 8, 0));
        Assert.Equal(0, bursts);
        queue.EndOfBurst();
        Assert.Equal(1, bursts);

        queue.Enqueue(new IngressPacket(Rent(3), 8, 0));
        Assert.Equal(1, perPacket);
        Assert.Equal(3, queue.Reader.Count);
        while (queue.Reader.TryRead(out IngressPacket packet))
        {
            PacketBuffers.Return(packet.Buffer);
        }
    }

    [Fact]
    public void The_depth_is_observed_under_the_queue_name_ingress()
    {
        using var depth = new MetricCollector<long>(_metrics.Meter, "mixnode.queue.depth");
        var queue = new IngressQueue(16, _metrics);
        queue.Enqueue(new IngressPacket(Rent(1), 8, 0));
        queue.Enqueue(new IngressPacket(Rent(2), 8, 0));

        depth.RecordObservableInstruments();
        Assert.Equal(2, Assert.Single(depth.GetMeasurementSnapshot(), m => Equals(m.Tags["queue"], "ingress")).Value);
    }

    [Fact]
    public void After_completion_the_workers_drain_what_is_left_and_new_packets_are_dropped()
    {
        using var dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
        var queue = new IngressQueue(16, _metrics);
        queue.Enqueue(new IngressPacket(Rent(1), 8, 0));
        queue.Complete();
        queue.Enqueue(new IngressPacket(Rent(2), 8, 0));

        Assert.True(queue.Reader.TryRead(out IngressPacket left));
        PacketBuffers.Return(left.Buffer);
        Assert.True(queue.Reader.Completion.IsCompleted);
        Assert.Equal(1, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void A_client_flood_fills_only_the_client_lane_and_packets_from_mix_links_still_get_in()
    {
        using var laneDrops = new MetricCollector<long>(_metrics.Meter, "mixnode.ingress.dropped");
        using var dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
        var queue = new IngressQueue(16, _metrics, clientCapacity: 16);
        for (int i = 0; i < 20; i++)
        {
            queue.Enqueue(new IngressPacket(Rent(1), 8, i), IngressLane.Client);
        }

        for (int i = 0; i < 16; i++)
        {
            queue.Enqueue(new IngressPacket(Rent(2), 8, 100 + i));
        }

        Assert.All(laneDrops.GetMeasurementSnapshot(), m => Assert.Equal("client", m.Tags["lane"]));
        Assert.Equal(4, laneDrops.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(4, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(32, queue.Reader.Count);

        // One more from a mix link is over the mix lane's own capacity: counted under its lane.
        queue.Enqueue(new IngressPacket(Rent(2), 8, 200));
        Assert.Equal(["client", "mix"], laneDrops.GetMeasurementSnapshot().Select(m => (string)m.Tags["lane"]!).Distinct().Order(StringComparer.Ordinal));
        Drain(queue);
    }

    [Fact]
    public void Workers_take_from_both_lanes_in_turn_so_neither_starves_the_other()
    {
        var queue = new IngressQueue(16, _metrics, clientCapacity: 16);
        for (int i = 0; i < 6; i++)
        {
            queue.Enqueue(new IngressPacket(Rent(1), 8, i), IngressLane.Client);
        }

        for (int i = 0; i < 2; i++)
        {
            queue.Enqueue(new IngressPacket(Rent(2), 8, 100 + i));
        }

        byte[] lanes = [.. Drain(queue)];
        Assert.Equal(8, lanes.Length);

        // The two mix packets are among the first four taken, not behind the client backlog.
        Assert.Equal(2, lanes.Take(4).Count(l => l == 2));
        Assert.True(queue.Reader.TryPeek(out _) is false);
    }

    private static List<byte> Drain(IngressQueue queue)
    {
        var markers = new List<byte>();
        while (queue.Reader.TryRead(out IngressPacket packet))
        {
            markers.Add(packet.Buffer[0]);
            PacketBuffers.Return(packet.Buffer);
        }

        return markers;
    }

    private static byte[] Rent(byte marker)
    {
        byte[] buffer = PacketBuffers.Rent(3082);
        buffer[0] = marker;
        return buffer;
    }
}
