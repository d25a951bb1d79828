using System.Collections.Concurrent;
using System.Diagnostics;
using Mixnode.Node.Forwarding;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// The node's alarm on the real clock (Linux): never early, an earlier alarm replaces a later one, a later one
/// postpones, and the delay queue on the system clock releases in due order and never before the due time.
/// Only orderings are asserted, never how soon after its time something happened.
/// </summary>
public sealed class PreciseReleaseTimerTests
{
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(20);

    [Fact]
    public void Is_what_a_node_uses_on_linux() =>
        Assert.Equal(OperatingSystem.IsLinux(), PreciseReleaseTimer.IsSupported);

    [Fact]
    public void Fires_once_not_before_its_time_on_its_own_thread()
    {
        if (!PreciseReleaseTimer.IsSupported)
        {
            return;
        }

        var fired = new ConcurrentQueue<(long At, int Thread)>();
        using var signal = new SemaphoreSlim(0);
        using var timer = new PreciseReleaseTimer(() => { fired.Enqueue((Stopwatch.GetTimestamp(), Environment.CurrentManagedThreadId)); signal.Release(); }, "test alarm");
        long due = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3 / 1000);
        timer.ArmAt(due);

        Assert.True(signal.Wait(s_generous));
        (long at, int thread) = Assert.Single(fired);
        Assert.True(at >= due, "fired before its time");
        Assert.NotEqual(Environment.CurrentManagedThreadId, thread);

        // One shot: nothing more until armed again.
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void An_earlier_alarm_replaces_a_later_one()
    {
        if (!PreciseReleaseTimer.IsSupported)
        {
            return;
        }

        using var signal = new SemaphoreSlim(0);
        using var timer = new PreciseReleaseTimer(() => signal.Release(), "test alarm");
        timer.ArmAt(Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3600));
        timer.ArmAt(Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 2 / 1000));
        Assert.True(signal.Wait(s_generous), "the hour-long alarm was not replaced by the 2 ms one");
    }

    [Fact]
    public void A_later_alarm_postpones_an_earlier_one()
    {
        if (!PreciseReleaseTimer.IsSupported)
        {
            return;
        }

        using var signal = new SemaphoreSlim(0);
        using var timer = new PreciseReleaseTimer(() => signal.Release(), "test alarm");
        // Half a second between the two calls is room for a stalled test machine; the wait goes past the first alarm.
        timer.ArmAt(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 2));
        timer.ArmAt(Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3600));
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(800)));
    }

    [Fact]
    public void Dispose_stops_the_thread_with_an_alarm_pending()
    {
        if (!PreciseReleaseTimer.IsSupported)
        {
            return;
        }

        int fired = 0;
        var timer = new PreciseReleaseTimer(() => Interlocked.Increment(ref fired), "test alarm");
        timer.ArmAt(Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3600));
        timer.Dispose();
        Assert.Equal(0, Volatile.Read(ref fired));
    }

    [Fact]
    public void A_delay_queue_on_the_system_clock_releases_in_due_order_and_never_early()
    {
        if (!PreciseReleaseTimer.IsSupported)
        {
            return;
        }

        NodeMetrics metrics = TestMeterFactory.NewMetrics(out TestMeterFactory meters);
        using var _ = meters;
        var forwarder = new TimestampingForwarder();
        using var queue = new StopAndGoMixer(64, TimeProvider.System, forwarder, metrics, earlyRelease: TimeSpan.FromMilliseconds(2));

        // A packet already due leaves at once from TryEnqueue (on the caller's thread); warmed up first so that
        // enqueueing the rest takes microseconds, well under the 3 ms between their due times.
        Assert.True(queue.TryEnqueue(new OutgoingPacket([99], default, Stopwatch.GetTimestamp(), Stopwatch.GetTimestamp())));
        Assert.True(forwarder.AllArrived(1, s_generous));
        forwarder.Clear();
        long now = Stopwatch.GetTimestamp();
        int[] delaysMs = [9, 3, 30, 6, 6, 18, 12, 27, 0, 15];
        var due = new Dictionary<byte, long>();
        for (byte id = 0; id < delaysMs.Length; id++)
        {
            long at = now + (delaysMs[id] * Stopwatch.Frequency / 1000);
            due[id] = at;
            byte[] next = new byte[Bytes32.Size];
            Assert.True(queue.TryEnqueue(new OutgoingPacket([id], Bytes32.From(next), now, at)));
        }

        Assert.True(forwarder.AllArrived(delaysMs.Length, s_generous));
        (byte Id, long At, int Thread)[] released = forwarder.Released;

        // The precise alarm ignores the early release a millisecond timer would need: nothing leaves before its time.
        Assert.All(released, r => Assert.True(r.At >= due[r.Id], $"packet {r.Id} left {(due[r.Id] - r.At) * 1e6 / Stopwatch.Frequency:F0} µs early"));

        // What the alarm released (not what TryEnqueue let go at once, should a slow machine make one already due) left in
        // due order, except within one release: an alarm that rings late lets everything then due go together, shuffled.
        // So a packet may leave before one due earlier only if that one was already due when it left.
        (byte Id, long At, int Thread)[] byAlarm = [.. released.Where(r => r.Thread != Environment.CurrentManagedThreadId)];
        Assert.True(byAlarm.Length >= delaysMs.Length - 3, "the alarm released almost nothing");
        for (int i = 0; i < byAlarm.Length; i++)
        {
            for (int j = i + 1; j < byAlarm.Length; j++)
            {
                Assert.True(due[byAlarm[j].Id] >= due[byAlarm[i].Id] || byAlarm[i].At >= due[byAlarm[j].Id], $"packet {byAlarm[i].Id} left before packet {byAlarm[j].Id}, due earlier and not yet due then");
            }
        }
    }

    [Fact]
    public void With_a_release_quantum_what_falls_due_just_after_leaves_with_it_and_nothing_earlier()
    {
        if (!PreciseReleaseTimer.IsSupported)
        {
            return;
        }

        NodeMetrics metrics = TestMeterFactory.NewMetrics(out TestMeterFactory meters);
        using var _ = meters;
        var forwarder = new TimestampingForwarder();
        var quantum = TimeSpan.FromMilliseconds(5);
        using var queue = new StopAndGoMixer(64, TimeProvider.System, forwarder, metrics, releaseQuantum: quantum);
        long now = Stopwatch.GetTimestamp();
        // Margins far above a stalled machine's pauses: the first is not yet due when enqueued, and the third stays
        // out of the first release even if that alarm rings late.
        long first = now + (Stopwatch.Frequency * 300 / 1000);
        long second = first + (Stopwatch.Frequency * 3 / 1000);
        long third = first + (Stopwatch.Frequency * 1000 / 1000);
        Assert.True(queue.TryEnqueue(new OutgoingPacket([1], default, now, first)));
        Assert.True(queue.TryEnqueue(new OutgoingPacket([2], default, now, second)));
        Assert.True(queue.TryEnqueue(new OutgoingPacket([3], default, now, third)));

        Assert.True(forwarder.AllArrived(3, s_generous));
        (byte Id, long At, int Thread)[] released = forwarder.Released;
        // The first two leave together, in a shuffled order; the third on its own.
        Assert.Equal([1, 2], released.Take(2).Select(r => (int)r.Id).Order());
        Assert.Equal(3, released[2].Id);
        long leftTogether = released[0].At;
        Assert.True(leftTogether >= first, "the packet the alarm rang for left before its time");
        Assert.True(released[1].At >= second - (long)(quantum.TotalSeconds * Stopwatch.Frequency), "left earlier than the quantum allows");
        Assert.True(released[2].At >= third, "a packet due after the quantum left early");
    }

    private sealed class TimestampingForwarder : IPacketForwarder
    {
        private readonly ConcurrentQueue<(byte, long, int)> _released = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public (byte Id, long At, int Thread)[] Released => [.. _released];

        public void Clear() => _released.Clear();

        public void Forward(in OutgoingPacket packet)
        {
            _released.Enqueue((packet.Buffer[0], Stopwatch.GetTimestamp(), Environment.CurrentManagedThreadId));
            _arrived.Release();
        }

        public bool AllArrived(int count, TimeSpan timeout)
        {
            for (int i = 0; i < count; i++)
            {
                if (!_arrived.Wait(timeout))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
