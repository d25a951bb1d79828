using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Cli.Loadgen;
using Mixnode.Client;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenPacerTests
{
    [Fact]
    public void Every_packet_goes_once_in_schedule_order_never_early_and_each_link_is_flushed_once_per_tick()
    {
        double[][] schedules = [.. Enumerable.Range(0, 3).Select(_ => LoadgenRunner.Schedule(800, 2))];
        var log = new List<Event>();
        FakeLink[] links = [.. Enumerable.Range(0, 3).Select(c => new FakeLink(c, log))];
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [.. schedules.Select(s => s.Length)]);
        var time = new FakeTimeProvider();
        var pacer = new LoadgenPacer(links, Packets(schedules), schedules, statistics, time);
        long start = time.GetTimestamp();
        var random = new Random(7);

        var sent = new HashSet<(int, int)>();
        TimeSpan lastDue = TimeSpan.Zero;
        while (pacer.NextDue is not null)
        {
            // Ticks of uneven length, as a sleeping thread gets them.
            time.Advance(TimeSpan.FromMicroseconds(random.Next(100, 4000)));
            TimeSpan elapsed = time.GetElapsedTime(start);
            log.Clear();
            int written = pacer.SendDue(start);

            Assert.Equal(written, log.Count(e => e.Write));
            foreach (Event write in log.Where(e => e.Write))
            {
                // In TimeSpan ticks, the pacer's resolution: times closer than 100 ns are one time.
                TimeSpan due = TimeSpan.FromSeconds(schedules[write.Client][write.Sequence]);
                Assert.True(due <= elapsed, "sent before its time");
                Assert.True(due >= lastDue, "sent out of schedule order");
                Assert.True(sent.Add((write.Client, write.Sequence)), "sent twice");
                lastDue = due;
            }

            // Nothing due is left behind, and every link written to is flushed once, after its last write.
            Assert.True(pacer.NextDue is not { } next || next > elapsed);
            foreach (IGrouping<int, (Event Event, int Index)> client in log.Select((e, i) => (Event: e, Index: i)).GroupBy(x => x.Event.Client))
            {
                (Event Event, int Index)[] flushes = [.. client.Where(x => !x.Event.Write)];
                Assert.Single(flushes);
                Assert.True(flushes[0].Index > client.Where(x => x.Event.Write).Max(x => x.Index));
            }
        }

        Assert.Equal(schedules.Sum(s => s.Length), sent.Count);
        Assert.Equal(sent.Count, statistics.Sent);
        Assert.Equal(0, pacer.Remaining);
    }

    [Fact]
    public void A_backlog_is_flushed_every_batch_so_the_pipe_does_not_grow_without_bound()
    {
        double[][] schedules = [[.. Enumerable.Repeat(0.0, 100)]];
        var log = new List<Event>();
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [100]);
        var time = new FakeTimeProvider();
        long start = time.GetTimestamp();
        var pacer = new LoadgenPacer([new FakeLink(0, log)], Packets(schedules), schedules, statistics, time);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(100, pacer.SendDue(start));
        int[] flushesAfter = [.. log.Select((e, i) => (e, i)).Where(x => !x.e.Write).Select(x => log.Take(x.i).Count(e => e.Write))];
        Assert.Equal([32, 64, 96, 100], flushesAfter);
        Assert.Equal([.. Enumerable.Range(0, 100)], log.Where(e => e.Write).Select(e => e.Sequence));
    }

    [Fact]
    public void A_failed_write_or_flush_is_taken_back()
    {
        double[][] schedules = [[0, 0, 0], [0, 0, 0]];
        var log = new List<Event>();
        FakeLink[] links = [new FakeLink(0, log) { FailWriteOf = 1 }, new FakeLink(1, log) { FailFlush = true }];
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [3, 3]);
        var time = new FakeTimeProvider();
        var pacer = new LoadgenPacer(links, Packets(schedules), schedules, statistics, time);

        pacer.SendDue(time.GetTimestamp());
        Assert.Equal(2, statistics.Sent);
        Assert.Equal(4, statistics.SendFailures);
        Assert.Null(pacer.NextDue);
    }

    [Fact]
    public async Task Run_sends_everything_at_or_after_its_time_on_its_own_thread()
    {
        double[][] schedules = [LoadgenRunner.Schedule(400, 0.3), LoadgenRunner.Schedule(400, 0.3)];
        var log = new List<Event>();
        FakeLink[] links = [new FakeLink(0, log), new FakeLink(1, log) { FlushLater = true }];
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [.. schedules.Select(s => s.Length)]);
        var pacer = new LoadgenPacer(links, Packets(schedules), schedules, statistics, TimeProvider.System);

        long start = Stopwatch.GetTimestamp();
        await pacer.RunAsync(start, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Event[] writes;
        lock (log)
        {
            writes = [.. log.Where(e => e.Write)];
        }

        Assert.Equal(schedules.Sum(s => s.Length), writes.Length);
        Assert.Equal(writes.Length, writes.Select(e => (e.Client, e.Sequence)).Distinct().Count());
        Assert.All(writes, w => Assert.True(Stopwatch.GetElapsedTime(start, w.Timestamp) >= TimeSpan.FromSeconds(schedules[w.Client][w.Sequence])));
        Assert.Equal(writes.Length, statistics.Sent);
    }

    [Fact]
    public async Task Run_stops_when_canceled()
    {
        double[][] schedules = [LoadgenRunner.Schedule(100, 60)];
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [schedules[0].Length]);
        var pacer = new LoadgenPacer([new FakeLink(0, [])], Packets(schedules), schedules, statistics, TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Task run = pacer.RunAsync(Stopwatch.GetTimestamp(), cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(pacer.Remaining > 0);
    }

    [Fact]
    public void Drops_and_loops_ride_the_same_schedule_are_counted_apart_and_every_send_time_is_kept()
    {
        // Client 0: message, drop, loop, message; client 1: drop, message. The links fail nothing.
        LoadgenSlot[][] slots =
        [
            [new(0.001, LoadgenPacketKind.Message, 0), new(0.002, LoadgenPacketKind.Drop, -1), new(0.002, LoadgenPacketKind.Loop, -1), new(0.004, LoadgenPacketKind.Message, 1)],
            [new(0.0015, LoadgenPacketKind.Drop, -1), new(0.003, LoadgenPacketKind.Message, 0)],
        ];
        var log = new List<Event>();
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [2, 1]);
        var time = new FakeTimeProvider();
        long start = time.GetTimestamp();
        var pacer = new LoadgenPacer([new FakeLink(0, log), new FakeLink(1, log)], slots, Packets(slots), statistics, time);

        for (int ms = 1; ms <= 4; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            pacer.SendDue(start);
        }

        Assert.Equal(3, statistics.Sent);
        Assert.Equal((2L, 1L), (statistics.DropsSent, statistics.LoopsSent));
        Assert.Equal([(0, 0), (1, 0), (0, 1), (0, 2), (1, 1), (0, 3)], log.Where(e => e.Write).Select(e => (e.Client, e.Sequence)));

        // One time per send, in the order sent, as the fake clock stood at each tick.
        long[] sent = pacer.SendTimestamps();
        Assert.Equal(6, sent.Length);
        Assert.Equal([1, 2, 2, 2, 3, 4], sent.Select(t => (int)time.GetElapsedTime(start, t).TotalMilliseconds));
    }

    [Fact]
    public void A_failed_cover_send_is_taken_back_too()
    {
        LoadgenSlot[][] slots = [[new(0, LoadgenPacketKind.Drop, -1), new(0, LoadgenPacketKind.Loop, -1), new(0, LoadgenPacketKind.Message, 0)]];
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [1]);
        var time = new FakeTimeProvider();
        var pacer = new LoadgenPacer([new FakeLink(0, []) { FailFlush = true }], slots, Packets(slots), statistics, time);
        pacer.SendDue(time.GetTimestamp());
        Assert.Equal((0L, 0L, 0L, 3L), (statistics.Sent, statistics.DropsSent, statistics.LoopsSent, statistics.SendFailures));
        Assert.Empty(pacer.SendTimestamps());
    }

    /// <summary>Stand-in packets per slot: each holds its client and its index in the client's slots.</summary>
    private static ForwardPacket[][] Packets(LoadgenSlot[][] slots) => Packets([.. slots.Select(s => s.Select(x => x.Seconds).ToArray())]);

    /// <summary>Stand-in packets: each holds its client and sequence, so a link can tell which one it got.</summary>
    private static ForwardPacket[][] Packets(double[][] schedules) =>
        [.. schedules.Select((s, c) => s.Select((_, seq) =>
        {
            byte[] packet = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(packet, c);
            BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(4), seq);
            // No route: the pacer never looks at it (and NodeDescriptor is not visible from here).
            return new ForwardPacket(packet, null!, 10);
        }).ToArray())];

    private readonly record struct Event(bool Write, int Client, int Sequence, long Timestamp);

    private sealed class FakeLink(int client, List<Event> log) : IPacketLink
    {
        private int _writes;

        /// <summary>The write of this (0-based) packet fails.</summary>
        public int FailWriteOf { get; init; } = -1;

        public bool FailFlush { get; init; }

        /// <summary>Flushes complete a little later, as one held back by a slow provider does.</summary>
        public bool FlushLater { get; init; }

        public ValueTask<bool> WritePacketAsync(ReadOnlyMemory<byte> packet)
        {
            if (_writes++ == FailWriteOf)
            {
                return ValueTask.FromResult(false);
            }

            int sequence = BinaryPrimitives.ReadInt32BigEndian(packet.Span[4..]);
            Assert.Equal(client, BinaryPrimitives.ReadInt32BigEndian(packet.Span));
            Record(new Event(true, client, sequence, Stopwatch.GetTimestamp()));
            return ValueTask.FromResult(true);
        }

        public ValueTask<bool> FlushAsync()
        {
            Record(new Event(false, client, -1, Stopwatch.GetTimestamp()));
            return FlushLater ? new ValueTask<bool>(Task.Delay(2).ContinueWith(_ => true, TaskScheduler.Default)) : ValueTask.FromResult(!FailFlush);
        }

        private void Record(Event e)
        {
            lock (log)
            {
                log.Add(e);
            }
        }
    }
}
