using System.Buffers.Binary;
using System.Diagnostics;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Cli.Loadgen;
using Mixnode.Client;

namespace Mixnode.Cli.Tests.Loadgen;

/// <summary>The latency corrected for coordinated omission: counted from each message's scheduled send.</summary>
public sealed class LoadgenCorrectedLatencyTests
{
    [Fact]
    public void When_every_message_left_on_time_the_corrected_view_is_the_raw_one()
    {
        var random = new Random(5);
        LoadgenStatistics statistics = Deliver(random, 2000, _ => 0);
        Assert.Equal(LatencySummary.Of(statistics.Latencies), LatencySummary.Of(statistics.LatenciesCorrected));
    }

    [Fact]
    public void Messages_held_up_behind_a_stall_show_it_only_in_the_corrected_view()
    {
        // One message in ten left 200 ms late (its sender blocked on a link); the network took 10-20 ms for each.
        var random = new Random(6);
        LoadgenStatistics statistics = Deliver(random, 2000, i => i % 10 == 0 ? 200 : 0);
        LatencySummary raw = LatencySummary.Of(statistics.Latencies);
        LatencySummary corrected = LatencySummary.Of(statistics.LatenciesCorrected);
        Assert.True(raw.P99 < 21, $"raw p99 {raw.P99}");
        Assert.True(corrected.P99 > 200, $"corrected p99 {corrected.P99}");
        Assert.True(corrected.P50 >= raw.P50);
    }

    /// <summary>Whatever the lateness of each message, the corrected view is at or above the raw one at every percentile.</summary>
    [Property(MaxTest = 200)]
    public bool The_corrected_view_is_never_below_the_raw_one(ushort[] networkMs, byte[] lateMs)
    {
        ushort[] network = networkMs ?? [];
        byte[] late = lateMs ?? [];
        LoadgenStatistics statistics = Deliver(network.Length, i => network[i], i => late.Length == 0 ? 0 : late[i % late.Length]);
        LatencySummary raw = LatencySummary.Of(statistics.Latencies);
        LatencySummary corrected = LatencySummary.Of(statistics.LatenciesCorrected);
        if (network.Length == 0)
        {
            return raw.P50 is null && corrected.P50 is null;
        }

        return corrected.P50 >= raw.P50 && corrected.P90 >= raw.P90 && corrected.P99 >= raw.P99
            && corrected.P99_9 >= raw.P99_9 && corrected.Max >= raw.Max
            && (late.Any(l => l > 0) || corrected == raw);
    }

    [Fact]
    public void The_pacer_records_each_message_s_scheduled_time_beside_its_actual_one()
    {
        // Messages due at 1, 2 and 3 ms; writing the first stalls the sender for 10 ms (a provider not reading), so
        // the other two leave at 11 ms.
        double[][] schedules = [[0.001, 0.002, 0.003]];
        var time = new FakeTimeProvider();
        long start = time.GetTimestamp();
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [3]);
        var link = new StallingLink(time, TimeSpan.FromMilliseconds(10));
        var pacer = new LoadgenPacer([link], Packets(3), schedules, statistics, time);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, pacer.SendDue(start));
        Assert.Equal(2, pacer.SendDue(start));

        // All three arrive at 20 ms.
        time.Advance(TimeSpan.FromMilliseconds(9));
        long arrival = time.GetTimestamp();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(DeliveryOutcome.Delivered, statistics.RecordArrival(new LoadgenMessage(statistics.RunId, 0, i, 0, 0, 0), arrival, 0));
        }

        // From the send: 19, 9, 9 ms; from the schedule: 19, 18, 17 ms (in the fake clock's ticks, read as Stopwatch ticks).
        double Ms(double fakeMs) => Stopwatch.GetElapsedTime(0, (long)(fakeMs * time.TimestampFrequency / 1000)).TotalMilliseconds;
        Assert.Equal(Ms(19), statistics.Latencies.MaxMs!.Value, 3);
        Assert.Equal(Ms(9), statistics.Latencies.MinMs!.Value, 3);
        Assert.Equal(Ms(19), statistics.LatenciesCorrected.MaxMs!.Value, 3);
        Assert.Equal(Ms(17), statistics.LatenciesCorrected.MinMs!.Value, 3);
    }

    private static LoadgenStatistics Deliver(Random random, int count, Func<int, double> lateMs) =>
        Deliver(count, _ => 10 + (random.NextDouble() * 10), lateMs);

    /// <summary>
    /// Statistics of <paramref name="count"/> messages from one client, message i scheduled at i ms, sent
    /// <paramref name="lateMs"/>(i) after that and taking <paramref name="networkMs"/>(i) to arrive.
    /// </summary>
    private static LoadgenStatistics Deliver(int count, Func<int, double> networkMs, Func<int, double> lateMs)
    {
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [count]);
        long t0 = 1_000_000_000;
        long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);
        for (int i = 0; i < count; i++)
        {
            long scheduled = t0 + Ticks(i);
            long sent = scheduled + Ticks(lateMs(i));
            statistics.RecordSent(0, i, sent, scheduled, 0);
            statistics.RecordArrival(new LoadgenMessage(statistics.RunId, 0, i, 0, 0, 0), sent + Ticks(networkMs(i)), 0);
        }

        return statistics;
    }

    private static ForwardPacket[][] Packets(int count) =>
        [[.. Enumerable.Range(0, count).Select(i =>
        {
            byte[] packet = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(4), i);
            return new ForwardPacket(packet, null!, 0);
        })]];

    /// <summary>A link whose first write takes <paramref name="stall"/> of the fake clock.</summary>
    private sealed class StallingLink(FakeTimeProvider time, TimeSpan stall) : IPacketLink
    {
        private bool _stalled;

        public ValueTask<bool> WritePacketAsync(ReadOnlyMemory<byte> packet)
        {
            if (!_stalled)
            {
                _stalled = true;
                time.Advance(stall);
            }

            return ValueTask.FromResult(true);
        }

        public ValueTask<bool> FlushAsync() => ValueTask.FromResult(true);
    }
}
