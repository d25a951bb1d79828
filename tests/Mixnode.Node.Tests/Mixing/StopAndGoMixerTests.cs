using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Forwarding;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>The mixer's delay queue on a fake clock: due order, never early, bounded, drained at shutdown.</summary>
public sealed class StopAndGoMixerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly RecordingForwarder _forwarder;

    public StopAndGoMixerTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new RecordingForwarder(_time);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Packets_leave_in_due_order_at_arrival_plus_delay_and_never_before()
    {
        using var queue = new StopAndGoMixer(16, _time, _forwarder, _metrics);
        DateTimeOffset start = _time.GetUtcNow();
        long now = _time.GetTimestamp();
        Assert.True(queue.TryEnqueue(Packet(1, now, TimeSpan.FromMilliseconds(300))));
        Assert.True(queue.TryEnqueue(Packet(2, now, TimeSpan.FromMilliseconds(100))));
        Assert.True(queue.TryEnqueue(Packet(3, now, TimeSpan.FromMilliseconds(200))));
        Assert.Equal(3, queue.Count);

        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(_forwarder.Forwarded);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([2], Ids());

        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal([2], Ids());

        // One big step releases everything due by then. A fake clock runs the alarm once, at the end of the step, so
        // 3 (due at 200 ms) and 1 (due at 300 ms) leave together there, in shuffled order.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([2], Ids()[..1]);
        Assert.Equal([1, 3], Ids()[1..].Order());
        Assert.Equal(0, queue.Count);
        Assert.Equal(start + TimeSpan.FromMilliseconds(100), _forwarder.Forwarded[0].At);
    }

    [Fact]
    public void With_early_release_a_packet_leaves_within_the_slack_before_its_due_time_and_not_sooner()
    {
        using var queue = new StopAndGoMixer(16, _time, _forwarder, _metrics, earlyRelease: TimeSpan.FromMilliseconds(1));
        long now = _time.GetTimestamp();
        Assert.True(queue.TryEnqueue(Packet(1, now, TimeSpan.FromMilliseconds(100))));

        _time.Advance(TimeSpan.FromMilliseconds(98));
        Assert.Empty(_forwarder.Forwarded);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([1], Ids());

        // Due within the slack on arrival: forwarded at once.
        Assert.True(queue.TryEnqueue(Packet(2, _time.GetTimestamp(), TimeSpan.FromMilliseconds(0.5))));
        Assert.Equal([1, 2], Ids());
    }

    [Fact]
    public void Time_already_spent_in_the_node_counts_toward_the_delay()
    {
        using var queue = new StopAndGoMixer(16, _time, _forwarder, _metrics);
        long arrived = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(40));

        Assert.True(queue.TryEnqueue(Packet(1, arrived, TimeSpan.FromMilliseconds(100))));
        _time.Advance(TimeSpan.FromMilliseconds(59));
        Assert.Empty(_forwarder.Forwarded);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([1], Ids());
    }

    [Fact]
    public void An_earlier_packet_enqueued_later_rearms_the_timer()
    {
        using var queue = new StopAndGoMixer(16, _time, _forwarder, _metrics);
        long now = _time.GetTimestamp();
        Assert.True(queue.TryEnqueue(Packet(1, now, TimeSpan.FromSeconds(10))));
        Assert.True(queue.TryEnqueue(Packet(2, now, TimeSpan.FromSeconds(1))));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([2], Ids());
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal([2, 1], Ids());
    }

    [Fact]
    public void A_packet_already_due_is_forwarded_at_once()
    {
        using var queue = new StopAndGoMixer(16, _time, _forwarder, _metrics);
        long arrived = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.True(queue.TryEnqueue(Packet(7, arrived, TimeSpan.FromMilliseconds(200))));
        Assert.True(queue.TryEnqueue(Packet(8, _time.GetTimestamp(), TimeSpan.Zero)));
        Assert.Equal([7, 8], Ids());
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void The_queue_refuses_the_packet_beyond_its_capacity()
    {
        const int capacity = 16;
        using var queue = new StopAndGoMixer(capacity, _time, _forwarder, _metrics);
        long now = _time.GetTimestamp();
        for (int i = 0; i < capacity; i++)
        {
            Assert.True(queue.TryEnqueue(Packet((byte)i, now, TimeSpan.FromSeconds(1 + i))));
        }

        Assert.False(queue.TryEnqueue(Packet(200, now, TimeSpan.FromSeconds(1))));
        Assert.Equal(capacity, queue.Count);

        // Releasing one makes room for one.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([0], Ids());
        Assert.True(queue.TryEnqueue(Packet(201, now, TimeSpan.FromSeconds(100))));
        Assert.False(queue.TryEnqueue(Packet(202, now, TimeSpan.FromSeconds(100))));
    }

    [Fact]
    public void Drain_takes_everything_still_queued_and_nothing_is_forwarded_afterwards()
    {
        using var queue = new StopAndGoMixer(16, _time, _forwarder, _metrics);
        long now = _time.GetTimestamp();
        for (byte i = 0; i < 5; i++)
        {
            Assert.True(queue.TryEnqueue(Packet(i, now, TimeSpan.FromSeconds(5 - i))));
        }

        List<OutgoingPacket> drained = queue.Drain();
        Assert.Equal([4, 3, 2, 1, 0], drained.Select(p => (int)p.Buffer[0]));
        Assert.Equal(0, queue.Count);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(_forwarder.Forwarded);
    }

    [Fact]
    public void A_disposed_queue_takes_nothing_more()
    {
        var queue = new StopAndGoMixer(16, _time, _forwarder, _metrics);
        queue.Dispose();
        Assert.False(queue.TryEnqueue(Packet(1, _time.GetTimestamp(), TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void The_time_packets_were_held_is_sampled_one_in_sixteen_and_the_depth_observed()
    {
        using var delays = new MetricCollector<double>(_metrics.Meter, "mixnode.mix.delay");
        using var depth = new MetricCollector<long>(_metrics.Meter, "mixnode.queue.depth");
        using var queue = new StopAndGoMixer(64, _time, _forwarder, _metrics);
        long now = _time.GetTimestamp();
        const int Held = 2 * NodeMetrics.HistogramSampleEvery;
        for (int i = 0; i < Held; i++)
        {
            Assert.True(queue.TryEnqueue(Packet((byte)i, now, i % 2 == 0 ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(2))));
        }

        depth.RecordObservableInstruments();
        CollectedMeasurement<long> observed = Assert.Single(depth.GetMeasurementSnapshot(), m => Equals(m.Tags["queue"], "mix"));
        Assert.Equal(Held, observed.Value);

        // Released on this thread (the fake clock runs the alarm here): a multiple of 16 gives exactly that share of
        // records, wherever this thread's sampling count stood, each the time its packet was held.
        _time.Advance(TimeSpan.FromMilliseconds(250));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(Held / NodeMetrics.HistogramSampleEvery, delays.GetMeasurementSnapshot().Count);
        Assert.All(delays.GetMeasurementSnapshot(), m => Assert.Contains(m.Value, new[] { 0.25, 2.25 }));
        Assert.All(delays.GetMeasurementSnapshot(), m => Assert.Empty(m.Tags));
    }

    [Fact]
    public void The_timer_is_armed_in_whole_milliseconds_never_short_of_the_due_time()
    {
        var recorder = new ArmingRecorder(_time);
        using var queue = new StopAndGoMixer(16, recorder, _forwarder, _metrics);
        long now = _time.GetTimestamp();
        Assert.True(queue.TryEnqueue(Packet(1, now, TimeSpan.FromMilliseconds(5.3))));
        Assert.Equal(TimeSpan.FromMilliseconds(6), recorder.DueTimes[^1]);

        // A timer that fires early (as a truncating system timer does) re-arms for the rest, again rounded up.
        _time.Advance(TimeSpan.FromMilliseconds(4.2));
        recorder.FireEarly();
        Assert.Empty(_forwarder.Forwarded);
        Assert.Equal(TimeSpan.FromMilliseconds(2), recorder.DueTimes[^1]);

        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal([1], Ids());
    }

    private int[] Ids() => [.. _forwarder.Forwarded.Select(f => (int)f.Packet.Buffer[0])];

    private OutgoingPacket Packet(byte id, long receivedTimestamp, TimeSpan delay)
    {
        byte[] next = new byte[Bytes32.Size];
        next[0] = id;
        return new OutgoingPacket([id], Bytes32.From(next), receivedTimestamp, receivedTimestamp + (long)(delay.TotalSeconds * _time.TimestampFrequency));
    }

    /// <summary>Passes time through to a fake clock and remembers every due time the queue arms its timer with.</summary>
    private sealed class ArmingRecorder(FakeTimeProvider inner) : TimeProvider
    {
        private TimerCallback? _callback;
        private object? _state;

        public List<TimeSpan> DueTimes { get; } = [];

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _callback = callback;
            _state = state;
            return new RecordingTimer(inner.CreateTimer(callback, state, dueTime, period), DueTimes);
        }

        /// <summary>Runs the callback now, as a timer that fired before its time would.</summary>
        public void FireEarly() => _callback!(_state);

        private sealed class RecordingTimer(ITimer timer, List<TimeSpan> dueTimes) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                dueTimes.Add(dueTime);
                return timer.Change(dueTime, period);
            }

            public void Dispose() => timer.Dispose();

            public ValueTask DisposeAsync() => timer.DisposeAsync();
        }
    }
}
