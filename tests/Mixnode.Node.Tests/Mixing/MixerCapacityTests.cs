using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Both strategies are bounded: a full mixer refuses (and takes nothing: the refused packet never leaves, is not
/// drained, and the count stays at the capacity); a release gives the room back, exactly as much as left.
/// </summary>
public sealed class MixerCapacityTests : IDisposable
{
    private const int Capacity = 8;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly CollectingForwarder _forwarder;

    public MixerCapacityTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new CollectingForwarder(_time);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void A_full_stop_and_go_mixer_refuses_and_a_release_makes_room_for_as_many_as_left()
    {
        using var mixer = new StopAndGoMixer(Capacity, _time, _forwarder, _metrics, random: new SeededShuffleRandom(1));

        // Two due after 1 s, the rest later.
        for (int id = 0; id < Capacity; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.FromSeconds(id < 2 ? 1 : 10))));
        }

        AssertRefusesWhenFull(mixer, 100);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([0, 1], _forwarder.Ids().Order());
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(200, _time, TimeSpan.FromSeconds(10))));
        Assert.True(mixer.TryEnqueue(MixerPackets.Make(201, _time, TimeSpan.FromSeconds(10))));
        AssertRefusesWhenFull(mixer, 202);

        AssertRefusedNeverLeave(mixer, [100, 101, 102, 202, 203, 204]);
    }

    [Fact]
    public void A_full_pool_refuses_and_a_flush_makes_room_for_as_many_as_left()
    {
        // 8 wait, 2 kept back, ⌊0.5 × 6⌋ = 3 leave at the tick.
        var parameters = new PoolParameters(TimeSpan.FromSeconds(1), threshold: 0, minPool: 2, fraction: 0.5);
        using var mixer = new TimedPoolMixer(parameters, Capacity, _time, _forwarder, _metrics, random: new SeededShuffleRandom(1));
        for (int id = 0; id < Capacity; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }

        AssertRefusesWhenFull(mixer, 100);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, _forwarder.Departures.Count);
        for (int id = 200; id < 203; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }

        AssertRefusesWhenFull(mixer, 203);

        AssertRefusedNeverLeave(mixer, [100, 101, 102, 203, 204, 205]);
    }

    [Fact]
    public void A_stop_and_go_mixer_grows_its_queue_to_a_capacity_beyond_the_initial_allocation_and_no_further()
    {
        const int capacity = 5_000;
        using var mixer = new StopAndGoMixer(capacity, _time, _forwarder, _metrics);
        for (int id = 0; id < capacity; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.FromSeconds(1))));
        }

        Assert.False(mixer.TryEnqueue(MixerPackets.Make(capacity, _time, TimeSpan.FromSeconds(1))));
        Assert.Equal(capacity, mixer.Count);
    }

    [Fact]
    public void A_pool_grows_to_a_capacity_beyond_the_initial_allocation_and_no_further()
    {
        const int capacity = 5_000;
        var parameters = new PoolParameters(TimeSpan.FromSeconds(1), threshold: 0, minPool: 0, fraction: 1);
        using var mixer = new TimedPoolMixer(parameters, capacity, _time, _forwarder, _metrics);
        for (int id = 0; id < capacity; id++)
        {
            Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
        }

        Assert.False(mixer.TryEnqueue(MixerPackets.Make(capacity, _time, TimeSpan.Zero)));
        Assert.Equal(capacity, mixer.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Enumerable.Range(0, capacity), _forwarder.Ids().Order());
    }

    private void AssertRefusesWhenFull(IMixer mixer, int firstId)
    {
        for (int id = firstId; id < firstId + 3; id++)
        {
            Assert.False(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.FromSeconds(5))));
            Assert.Equal(Capacity, mixer.Count);
        }
    }

    /// <summary>Long after, and in the drain: none of the refused.</summary>
    private void AssertRefusedNeverLeave(IMixer mixer, int[] refused)
    {
        for (int i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        int[] everything = [.. _forwarder.Ids(), .. mixer.Drain().Select(p => MixerPackets.Id(p))];
        Assert.Empty(everything.Intersect(refused));
        Assert.Equal(everything.Length, everything.Distinct().Count());
    }
}
