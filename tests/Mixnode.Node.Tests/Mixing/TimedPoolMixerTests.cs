using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// The timed dynamic pool on a fake clock with fixed randomness: when it flushes (tick, threshold, both, neither
/// early), how many leave (<see cref="PoolParameters.SendCount"/>: the fraction beyond the min-pool), and which.
/// </summary>
public sealed class TimedPoolMixerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly CollectingForwarder _forwarder;

    public TimedPoolMixerTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new CollectingForwarder(_time);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Nothing_leaves_before_the_interval_then_each_tick_sends_the_fraction_beyond_the_min_pool()
    {
        const int seed = 11;
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(100), threshold: 0, minPool: 3, fraction: 0.5);
        using var mixer = new TimedPoolMixer(parameters, 1000, _time, _forwarder, _metrics, random: new SeededShuffleRandom(seed));
        long start = _time.GetTimestamp();
        Enqueue(mixer, Enumerable.Range(0, 20));

        _time.Advance(TimeSpan.FromMilliseconds(100) - TimeSpan.FromTicks(1));
        Assert.Empty(_forwarder.Departures);
        _time.Advance(TimeSpan.FromTicks(1));

        // First round: the pool is in arrival order, so the leavers are the seed's selection from indices 0..19.
        // ⌊0.5 × (20 − 3)⌋ = 8 leave, in the selection's order, at the tick.
        int[] indices = [.. Enumerable.Range(0, 20)];
        Shuffle.SelectToFront(indices.AsSpan(), 8, new SeededShuffleRandom(seed));
        Assert.Equal(indices[..8], _forwarder.Ids());
        Assert.All(_forwarder.Departures, d => Assert.Equal(start + Ticks(100), d.At));
        Assert.Equal(12, mixer.Count);

        // Later rounds, by hand: 12 → ⌊4.5⌋ = 4, 8 → 2, 6 → 1, 5 → 1, 4 → ⌊0.5⌋ but at least 1, then 3 = min-pool: none.
        int[] sentPerTick = [4, 2, 1, 1, 1, 0, 0, 0];
        for (int tick = 0; tick < sentPerTick.Length; tick++)
        {
            int before = _forwarder.Departures.Count;
            _time.Advance(TimeSpan.FromMilliseconds(99));
            Assert.Equal(before, _forwarder.Departures.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(sentPerTick[tick], _forwarder.Departures.Count - before);
            Assert.All(_forwarder.Departures.Skip(before), d => Assert.Equal(start + Ticks(100 * (tick + 2)), d.At));
        }

        Assert.Equal(3, mixer.Count);
        Assert.Equal(17, _forwarder.Ids().Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 20), _forwarder.Ids().Concat(mixer.Drain().Select(p => MixerPackets.Id(p))).Order());
    }

    [Fact]
    public void A_flush_sends_the_hand_computed_selection_in_the_hand_computed_order()
    {
        // Pool [0 1 2 3 4], ⌊0.4 × 5⌋ = 2 leave. Forward Fisher–Yates, two steps, draws 3 of 5 and 2 of 4:
        //   i = 0 swaps with 0 + 3 → [3 1 2 0 4]; i = 1 swaps with 1 + 2 → [3 0 2 1 4]: 3, then 0, leave.
        var random = new ScriptedShuffleRandom((5, 3), (4, 2));
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(10), threshold: 0, minPool: 0, fraction: 0.4);
        using var mixer = new TimedPoolMixer(parameters, 16, _time, _forwarder, _metrics, random: random);
        Enqueue(mixer, Enumerable.Range(0, 5));

        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal([3, 0], _forwarder.Ids());
        Assert.True(random.AllUsed);
        Assert.Equal([1, 2, 4], mixer.Drain().Select(p => MixerPackets.Id(p)).Order());
    }

    [Fact]
    public void Threshold_only_flushes_the_moment_the_threshold_is_reached_and_not_before()
    {
        const int seed = 5;
        var parameters = new PoolParameters(TimeSpan.Zero, threshold: 10, minPool: 2, fraction: 0.5);
        using var mixer = new TimedPoolMixer(parameters, 100, _time, _forwarder, _metrics, random: new SeededShuffleRandom(seed));
        Enqueue(mixer, Enumerable.Range(0, 9));

        // No clock: an hour changes nothing.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(_forwarder.Departures);
        Assert.Equal(9, mixer.Count);

        // The tenth: ⌊0.5 × (10 − 2)⌋ = 4 leave at once, on the enqueuing call, chosen as the seed chooses.
        Enqueue(mixer, [9]);
        int[] indices = [.. Enumerable.Range(0, 10)];
        Shuffle.SelectToFront(indices.AsSpan(), 4, new SeededShuffleRandom(seed));
        Assert.Equal(indices[..4], _forwarder.Ids());
        Assert.All(_forwarder.Departures, d => Assert.Equal(_time.GetTimestamp(), d.At));
        Assert.Equal(6, mixer.Count);

        Enqueue(mixer, [10, 11, 12]);
        Assert.Equal(4, _forwarder.Departures.Count);
        Enqueue(mixer, [13]);
        Assert.Equal(8, _forwarder.Departures.Count);
        Assert.Equal(6, mixer.Count);
    }

    [Fact]
    public void Timer_only_never_flushes_by_count_however_many_wait()
    {
        var parameters = new PoolParameters(TimeSpan.FromSeconds(1), threshold: 0, minPool: 0, fraction: 1);
        using var mixer = new TimedPoolMixer(parameters, 5_000, _time, _forwarder, _metrics, random: new SeededShuffleRandom(1));
        Enqueue(mixer, Enumerable.Range(0, 5_000));

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(_forwarder.Departures);
        Assert.Equal(5_000, mixer.Count);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Enumerable.Range(0, 5_000), _forwarder.Ids().Order());
        Assert.Equal(0, mixer.Count);
    }

    [Fact]
    public void With_both_a_threshold_flush_does_not_move_the_clock_s_ticks()
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(100), threshold: 5, minPool: 0, fraction: 1);
        using var mixer = new TimedPoolMixer(parameters, 100, _time, _forwarder, _metrics, random: new SeededShuffleRandom(1));
        long start = _time.GetTimestamp();

        _time.Advance(TimeSpan.FromMilliseconds(30));
        Enqueue(mixer, Enumerable.Range(0, 5));
        Assert.Equal(5, _forwarder.Departures.Count);

        _time.Advance(TimeSpan.FromMilliseconds(20));
        Enqueue(mixer, [5, 6]);
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(5, _forwarder.Departures.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([5, 6], _forwarder.Ids()[5..].Order());
        Assert.Equal(start + Ticks(100), _forwarder.Departures[^1].At);
    }

    [Theory]
    [InlineData(0, 1.0, 50, 50)] // everything
    [InlineData(10, 0.3, 110, 30)] // 30 % of the 100 beyond the minimum
    [InlineData(20, 0.7, 21, 1)] // ⌊0.7⌋ = 0, but at least one
    [InlineData(20, 0.7, 120, 70)]
    [InlineData(5, 0.5, 5, 0)] // at the min-pool: none
    [InlineData(5, 0.5, 4, 0)] // below it: none
    [InlineData(1, 0.25, 401, 100)]
    public void A_tick_sends_the_fraction_of_those_beyond_the_min_pool_and_keeps_the_min_pool(int minPool, double fraction, int waiting, int sent)
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(10), threshold: 0, minPool, fraction);
        using var mixer = new TimedPoolMixer(parameters, 1000, _time, _forwarder, _metrics, random: new SeededShuffleRandom(waiting));
        Enqueue(mixer, Enumerable.Range(0, waiting));

        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(sent, _forwarder.Departures.Count);
        Assert.Equal(waiting - sent, mixer.Count);
        Assert.Equal(sent, parameters.SendCount(waiting));
    }

    [Fact]
    public void Drain_takes_exactly_what_is_held_and_stops_the_pool()
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(10), threshold: 0, minPool: 4, fraction: 0.5);
        using var mixer = new TimedPoolMixer(parameters, 100, _time, _forwarder, _metrics, random: new SeededShuffleRandom(9));
        Enqueue(mixer, Enumerable.Range(0, 12));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        int[] left = _forwarder.Ids();
        Assert.Equal(4, left.Length);

        int[] drained = [.. mixer.Drain().Select(p => MixerPackets.Id(p))];

        Assert.Equal(Enumerable.Range(0, 12).Except(left), drained.Order());
        Assert.Equal(0, mixer.Count);
        Assert.False(mixer.TryEnqueue(MixerPackets.Make(99, _time, TimeSpan.Zero)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(left, _forwarder.Ids());
    }

    [Fact]
    public void A_threshold_only_pool_whose_threshold_is_above_its_capacity_is_refused_or_still_sends()
    {
        var parameters = new PoolParameters(TimeSpan.Zero, threshold: 20, minPool: 0, fraction: 0.5);
        TimedPoolMixer mixer;
        try
        {
            mixer = new TimedPoolMixer(parameters, 10, _time, _forwarder, _metrics);
        }
        catch (ArgumentException e)
        {
            // Refused up front, as a min-pool at the capacity is: fine.
            Assert.Contains("threshold", e.Message, StringComparison.Ordinal);
            return;
        }

        using (mixer)
        {
            Enqueue(mixer, Enumerable.Range(0, 10));
            _time.Advance(TimeSpan.FromHours(1));

            // Otherwise a full pool must still send: this one refuses every packet from now on, for ever.
            Assert.NotEmpty(_forwarder.Departures);
        }
    }

    [Fact]
    public void A_pool_ignores_the_senders_delays()
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(10), threshold: 0, minPool: 0, fraction: 1);
        using var mixer = new TimedPoolMixer(parameters, 100, _time, _forwarder, _metrics);
        Assert.False(mixer.HonoursDelays);

        // Due now and due in an hour: both wait for the tick, and both leave at it.
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(1, _time, TimeSpan.Zero)));
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(2, _time, TimeSpan.FromHours(1))));
        Assert.Empty(_forwarder.Departures);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal([1, 2], _forwarder.Ids().Order());
    }

    private void Enqueue(TimedPoolMixer mixer, IEnumerable<int> ids)
    {
        foreach (int id in ids)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }
    }

    private long Ticks(int milliseconds) => MixerPackets.Ticks(_time, TimeSpan.FromMilliseconds(milliseconds));
}
