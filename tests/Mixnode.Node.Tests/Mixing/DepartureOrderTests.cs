using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Departure order tells an observer nothing about arrival order beyond what the delays do: packets that leave
/// together (due at one instant; one pool flush) leave in an order where the first to arrive is equally likely to be
/// anywhere. The mixers' own CSPRNG, so thresholds are strict (see <see cref="ChiSquare"/>).
/// </summary>
public sealed class DepartureOrderTests : IDisposable
{
    private const int Batch = 8;
    private const int Rounds = 4_000;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly CollectingForwarder _forwarder;

    public DepartureOrderTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new CollectingForwarder(_time);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Stop_and_go_the_first_arrival_among_packets_due_at_one_instant_leaves_at_a_uniform_position()
    {
        using var mixer = new StopAndGoMixer(64, _time, _forwarder, _metrics);
        long[] position = new long[Batch];
        for (int round = 0; round < Rounds; round++)
        {
            for (int id = 0; id < Batch; id++)
            {
                Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.FromMilliseconds(10))));
            }

            _time.Advance(TimeSpan.FromMilliseconds(10));
            position[FirstArrivalPosition()]++;
        }

        Assert.InRange(ChiSquare.Statistic(position), 0, ChiSquare.QuantileStrict(Batch - 1));
    }

    [Fact]
    public void Pool_the_first_arrival_in_a_flush_of_all_leaves_at_a_uniform_position()
    {
        // Threshold 8, nothing kept back, everything sent: each 8th enqueue flushes those 8.
        var parameters = new PoolParameters(TimeSpan.Zero, threshold: Batch, minPool: 0, fraction: 1);
        using var mixer = new TimedPoolMixer(parameters, 64, _time, _forwarder, _metrics);
        long[] position = new long[Batch];
        for (int round = 0; round < Rounds; round++)
        {
            for (int id = 0; id < Batch; id++)
            {
                Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
            }

            position[FirstArrivalPosition()]++;
        }

        Assert.InRange(ChiSquare.Statistic(position), 0, ChiSquare.QuantileStrict(Batch - 1));
    }

    [Fact]
    public void Pool_the_first_arrival_leaves_in_a_partial_flush_as_often_as_any_other_and_at_any_position()
    {
        // 10 wait, 4 kept back, ⌊0.5 × 6⌋ = 3 leave: the first arrival leaves first, second or third with 1/10 each,
        // and stays with 7/10, like every other packet.
        var parameters = new PoolParameters(TimeSpan.Zero, threshold: 10, minPool: 4, fraction: 0.5);
        long[] outcome = new long[4];
        for (int round = 0; round < Rounds; round++)
        {
            using var mixer = new TimedPoolMixer(parameters, 64, _time, _forwarder, _metrics);
            for (int id = 0; id < 10; id++)
            {
                Assert.True(mixer.TryEnqueue(MixerPackets.Make(id, _time, TimeSpan.Zero)));
            }

            Assert.Equal(3, _forwarder.Departures.Count);
            int at = Array.IndexOf(_forwarder.Ids(), 0);
            outcome[at < 0 ? 3 : at]++;
            _forwarder.Departures.Clear();
        }

        double[] expected = [Rounds * 0.1, Rounds * 0.1, Rounds * 0.1, Rounds * 0.7];
        Assert.InRange(ChiSquare.Statistic(outcome, expected), 0, ChiSquare.QuantileStrict(3));
    }

    /// <summary>Where packet 0 (always the first enqueued) is among the <see cref="Batch"/> that just left.</summary>
    private int FirstArrivalPosition()
    {
        int[] ids = _forwarder.Ids();
        Assert.Equal(Batch, ids.Length);
        Assert.Equal(Enumerable.Range(0, Batch), ids.Order());
        _forwarder.Departures.Clear();
        return Array.IndexOf(ids, 0);
    }
}
