using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Stop-and-go on a fake clock with fixed randomness: every packet leaves exactly when it is due (or on arrival, if
/// already due), never before; packets that leave together leave in exactly the order the shuffle's draws dictate.
/// </summary>
public sealed class StopAndGoOrderTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_start);
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly CollectingForwarder _forwarder;

    public StopAndGoOrderTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new CollectingForwarder(_time);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Each_packet_leaves_at_its_due_time_or_on_arrival_if_already_due_and_never_before()
    {
        var random = new Random(20261125);
        using var mixer = new StopAndGoMixer(10_000, _time, _forwarder, _metrics, random: new SeededShuffleRandom(1));
        var expectedAt = new Dictionary<int, long>();
        int next = 0;

        // 400 ms of traffic: each millisecond a few packets arrive, some having already spent time in the node, with
        // whole-millisecond delays (several due at the same instant); after each step exactly those due have left.
        // The clock moves 1 ms at a time because a fake clock runs every alarm due within one step at the step's end.
        for (int ms = 0; ms < 400; ms++)
        {
            long now = _time.GetTimestamp();
            for (int k = random.Next(4); k > 0; k--)
            {
                long received = now - MixerPackets.Ticks(_time, TimeSpan.FromMilliseconds(random.Next(3)));
                long due = received + MixerPackets.Ticks(_time, TimeSpan.FromMilliseconds(random.Next(60)));
                Assert.True(mixer.TryEnqueue(MixerPackets.Make(next, received, due)));
                expectedAt[next++] = Math.Max(due, now);
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
            AssertExactlyTheDueHaveLeft(expectedAt);
        }

        for (int ms = 0; ms < 60; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            AssertExactlyTheDueHaveLeft(expectedAt);
        }

        Assert.Equal(expectedAt.Count, _forwarder.Departures.Count);
        Assert.Equal(0, mixer.Count);
    }

    [Fact]
    public void A_due_time_between_milliseconds_is_kept_to_within_the_millisecond_after_it_and_never_before()
    {
        var random = new Random(7);
        using var mixer = new StopAndGoMixer(10_000, _time, _forwarder, _metrics, random: new SeededShuffleRandom(2));
        var due = new Dictionary<int, long>();
        for (int id = 0; id < 300; id++)
        {
            // Any 100 ns tick within the next 50 ms; the alarm counts whole milliseconds.
            var packet = MixerPackets.Make(id, _time, TimeSpan.FromTicks(1 + random.Next(500_000)));
            due[id] = packet.DueTimestamp;
            Assert.True(mixer.TryEnqueue(packet));
        }

        for (int step = 0; step < 600; step++)
        {
            _time.Advance(TimeSpan.FromTicks(1_000));
        }

        long oneMs = MixerPackets.Ticks(_time, TimeSpan.FromMilliseconds(1));
        Assert.Equal(due.Count, _forwarder.Departures.Count);
        Assert.All(_forwarder.Departures, d => Assert.InRange(d.At, due[d.Id], due[d.Id] + oneMs - 1));
    }

    [Fact]
    public void A_packet_due_one_tick_after_now_is_not_yet_due_on_arrival_nor_when_the_alarm_rings()
    {
        using var mixer = new StopAndGoMixer(16, _time, _forwarder, _metrics, random: new SeededShuffleRandom(4));
        long start = _time.GetTimestamp();
        long tenMs = MixerPackets.Ticks(_time, TimeSpan.FromMilliseconds(10));

        // On arrival, one 100 ns tick short of due: it waits (for the millisecond alarm).
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(1, start, start + 1)));
        Assert.Empty(_forwarder.Departures);

        // The alarm rings for 2; 3, due one tick later, stays for the next.
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(2, start, start + tenMs)));
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(3, start, start + tenMs + 1)));
        for (int ms = 1; ms <= 11; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(ms switch { < 10 => [1], 10 => [1, 2], _ => [1, 2, 3] }, _forwarder.Ids());
        }

        Assert.All(_forwarder.Departures, d => Assert.True(d.At >= start + (d.Id switch { 1 => 1, 2 => tenMs, _ => tenMs + 1 })));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(20261125)]
    public void Packets_due_at_the_same_instant_leave_at_it_in_the_order_the_seeded_shuffle_gives(int seed)
    {
        const int count = 12;

        // Which order the mixer takes them out of its queue in is its own business: a run whose shuffle swaps nothing
        // shows it. The seeded run must leave in that order permuted by exactly the seed's Fisher–Yates.
        int[] unshuffled = ReleaseTogether(FixedShuffleRandom.NoSwap, count);
        int[] permutation = [.. Enumerable.Range(0, count)];
        Shuffle.InPlace(permutation.AsSpan(), new SeededShuffleRandom(seed));
        int[] expected = [.. permutation.Select(i => unshuffled[i])];

        int[] departed = ReleaseTogether(new SeededShuffleRandom(seed), count);

        Assert.Equal(expected, departed);
        Assert.NotEqual(unshuffled, departed);
    }

    [Fact]
    public void Packets_released_by_one_alarm_leave_in_the_hand_computed_order()
    {
        // Due 10.1 … 10.4 ms (arriving out of due order): the millisecond alarm rings once, at 11 ms, for all four.
        // Taken out in due order [0 1 2 3], Fisher–Yates with draws 1 of 4, 0 of 3, 1 of 2:
        //   i = 3 swaps with 1 → [0 3 2 1]; i = 2 swaps with 0 → [2 3 0 1]; i = 1 stays → [2 3 0 1].
        var random = new ScriptedShuffleRandom((4, 1), (3, 0), (2, 1));
        using var mixer = new StopAndGoMixer(16, _time, _forwarder, _metrics, random: random);
        long start = _time.GetTimestamp();
        foreach (int id in (int[])[2, 0, 3, 1])
        {
            long due = start + MixerPackets.Ticks(_time, TimeSpan.FromTicks(101_000 + (1_000 * id)));
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, start, due)));
        }

        _time.Advance(TimeSpan.FromTicks(109_999));
        Assert.Empty(_forwarder.Departures);
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal([2, 3, 0, 1], _forwarder.Ids());
        Assert.All(_forwarder.Departures, d => Assert.Equal(start + MixerPackets.Ticks(_time, TimeSpan.FromMilliseconds(11)), d.At));
        Assert.True(random.AllUsed);
    }

    [Fact]
    public void A_single_packet_is_not_shuffled_and_so_draws_no_randomness()
    {
        var random = new ScriptedShuffleRandom();
        using var mixer = new StopAndGoMixer(16, _time, _forwarder, _metrics, random: random);
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(5, _time, TimeSpan.FromMilliseconds(3))));
        _time.Advance(TimeSpan.FromMilliseconds(3));
        Assert.Equal([5], _forwarder.Ids());
    }

    [Fact]
    public void A_backlog_larger_than_one_release_batch_all_leaves_at_its_due_time_each_packet_once()
    {
        // More than the 4,096 one shuffle takes: the rest leaves in further batches at the same instant.
        const int count = 10_000;
        using var mixer = new StopAndGoMixer(count, _time, _forwarder, _metrics, random: new SeededShuffleRandom(3));
        for (int id = 0; id < count; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.FromSeconds(1))));
        }

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(Enumerable.Range(0, count), _forwarder.Ids().Order());
        Assert.All(_forwarder.Departures, d => Assert.Equal(_time.GetTimestamp(), d.At));
        Assert.Equal(0, mixer.Count);
    }

    /// <summary>
    /// On a fresh clock and mixer: <paramref name="count"/> packets due at one instant; none leaves a tick before it,
    /// all leave at it. Returns the departure order.
    /// </summary>
    private int[] ReleaseTogether(IShuffleRandom random, int count)
    {
        var time = new FakeTimeProvider(s_start);
        var forwarder = new CollectingForwarder(time);
        using var mixer = new StopAndGoMixer(64, time, forwarder, _metrics, random: random);
        for (int id = 0; id < count; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, time, TimeSpan.FromMilliseconds(50))));
        }

        time.Advance(TimeSpan.FromMilliseconds(50) - TimeSpan.FromTicks(1));
        Assert.Empty(forwarder.Departures);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.All(forwarder.Departures, d => Assert.Equal(time.GetTimestamp(), d.At));
        return forwarder.Ids();
    }

    private void AssertExactlyTheDueHaveLeft(Dictionary<int, long> expectedAt)
    {
        long now = _time.GetTimestamp();
        int[] due = [.. expectedAt.Where(e => e.Value <= now).Select(e => e.Key).Order()];
        Assert.Equal(due, _forwarder.Departures.Select(d => d.Id).Order());
        Assert.All(_forwarder.Departures, d => Assert.Equal(expectedAt[d.Id], d.At));
    }
}
