using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// <see cref="IMixer"/>'s shutdown contract for both strategies: Drain "stops releasing", and TryEnqueue answers false,
/// taking nothing, "when full or stopped" — so after Drain or Dispose no packet goes in and none comes out.
/// </summary>
public sealed class MixerShutdownTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly CollectingForwarder _forwarder;

    public MixerShutdownTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _forwarder = new CollectingForwarder(_time);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Pool_after_Drain_takes_nothing_and_releases_nothing() => AssertTakesNothingAfter(Pool(), drain: true);

    [Fact]
    public void Pool_after_Dispose_takes_nothing_and_releases_nothing() => AssertTakesNothingAfter(Pool(), drain: false);

    [Fact]
    public void Stop_and_go_after_Drain_takes_nothing_and_releases_nothing() => AssertTakesNothingAfter(StopAndGo(), drain: true);

    [Fact]
    public void Stop_and_go_after_Dispose_takes_nothing_and_releases_nothing() => AssertTakesNothingAfter(StopAndGo(), drain: false);

    private StopAndGoMixer StopAndGo() => new(16, _time, _forwarder, _metrics);

    private TimedPoolMixer Pool() =>
        new(new PoolParameters(TimeSpan.FromMilliseconds(10), threshold: 2, minPool: 0, fraction: 1), 16, _time, _forwarder, _metrics);

    private void AssertTakesNothingAfter(IMixer mixer, bool drain)
    {
        using (mixer)
        {
            if (drain)
            {
                Assert.Empty(mixer.Drain());
            }
            else
            {
                mixer.Dispose();
            }

            // Due later, and due now (which a running stop-and-go mixer would forward on the spot).
            Assert.False(mixer.TryEnqueue(MixerPackets.Make(1, _time, TimeSpan.FromMilliseconds(5))));
            Assert.False(mixer.TryEnqueue(MixerPackets.Make(2, _time, TimeSpan.Zero)));
            Assert.False(mixer.TryEnqueue(MixerPackets.Make(3, _time, TimeSpan.Zero)));
            Assert.Equal(0, mixer.Count);
            for (int ms = 0; ms < 20; ms++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(1));
            }

            Assert.Empty(_forwarder.Departures);
        }
    }
}
