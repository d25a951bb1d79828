using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>The network's strategy becomes the right mixer, with the settings it names.</summary>
public sealed class MixerFactoryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly CollectingForwarder _forwarder;
    private readonly RecordingDepartureGate _gate = new();

    public MixerFactoryTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new CollectingForwarder(_time);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Poisson_makes_a_stop_and_go_mixer_that_honours_delays_and_uses_the_gate()
    {
        using IMixer mixer = Create(MixingStrategy.Poisson, null, 16);
        Assert.IsType<StopAndGoMixer>(mixer);
        Assert.True(mixer.HonoursDelays);

        // On a millisecond timer the node lets a packet go up to 2 ms early (never more).
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(1, _time, TimeSpan.FromMilliseconds(10))));
        _time.Advance(TimeSpan.FromMilliseconds(7));
        Assert.Empty(_forwarder.Departures);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([1], _forwarder.Ids());
        Assert.Equal([1], _gate.Asked);
    }

    [Fact]
    public void Timed_pool_makes_a_pool_with_the_network_s_parameters_that_ignores_delays_and_uses_the_gate()
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(50), threshold: 0, minPool: 1, fraction: 1);
        using IMixer mixer = Create(MixingStrategy.TimedPool, parameters, 16);
        Assert.IsType<TimedPoolMixer>(mixer);
        Assert.False(mixer.HonoursDelays);

        for (int id = 0; id < 4; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }

        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Empty(_forwarder.Departures);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, _forwarder.Departures.Count);
        Assert.Equal(3, _gate.Asked.Count);
    }

    [Fact]
    public void Timed_pool_without_parameters_uses_the_default_pool()
    {
        using IMixer mixer = Create(MixingStrategy.TimedPool, null, 100);
        for (int id = 0; id < 30; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }

        // Every 100 ms, 70 % of those beyond 20: ⌊0.7 × 10⌋ = 7.
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(_forwarder.Departures);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(7, _forwarder.Departures.Count);
    }

    [Fact]
    public void An_unknown_strategy_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Create((MixingStrategy)99, null, 16));

    [Theory]
    [InlineData(20, 20)]
    [InlineData(20, 5)]
    [InlineData(1, 1)]
    public void A_pool_refuses_a_min_pool_at_or_above_its_capacity(int minPool, int capacity)
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(100), 0, minPool, 0.5);
        var e = Assert.Throws<ArgumentException>(() => new TimedPoolMixer(parameters, capacity, _time, _forwarder, _metrics));
        Assert.Contains("min-pool", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Create(MixingStrategy.TimedPool, parameters, capacity));
    }

    [Fact]
    public void A_pool_takes_a_min_pool_just_below_its_capacity_and_still_sends_when_full()
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(100), 0, 20, 0.5);
        using var mixer = new TimedPoolMixer(parameters, 21, _time, _forwarder, _metrics);
        for (int id = 0; id < 21; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }

        Assert.False(mixer.TryEnqueue(MixerPackets.Make(21, _time, TimeSpan.Zero)));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Single(_forwarder.Departures);
    }

    [Fact]
    public void A_pool_refuses_a_capacity_below_one()
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(100), 0, 0, 0.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimedPoolMixer(parameters, 0, _time, _forwarder, _metrics));
    }

    private IMixer Create(MixingStrategy strategy, PoolParameters? pool, int capacity) =>
        MixerFactory.Create(strategy, pool, capacity, TimeSpan.FromMilliseconds(1), _time, _forwarder, _metrics, _gate);
}
