using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Forwarding;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Nothing is lost or duplicated inside a mixer: over any sequence of arrivals and clock steps (small capacities, so
/// refusals are common), every accepted packet leaves exactly once or is handed back by Drain, a refused one never
/// leaves, and Drain returns exactly what the mixer says it holds. Then the same with writers on two threads and the mixer's real timer.
/// </summary>
public sealed class MixerConservationProperties : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;

    public MixerConservationProperties() => _metrics = TestMeterFactory.NewMetrics(out _meters);

    public void Dispose() => _meters.Dispose();

    /// <summary>
    /// Each op byte: low two bits 0–1 enqueue with a delay of (byte &gt;&gt; 2) ms, 2 enqueue with (byte &gt;&gt; 2) × 0.1 ms,
    /// 3 advance the clock (byte &gt;&gt; 2) ms. With <paramref name="settle"/>, a long wait before Drain: all must have left.
    /// </summary>
    [Property(MaxTest = 300)]
    public void Stop_and_go_accepted_packets_leave_once_or_are_drained_and_refused_ones_never_leave(byte[] ops, byte capacity, int seed, bool settle)
    {
        var time = new FakeTimeProvider(s_start);
        var forwarder = new CollectingForwarder(time);
        var mixer = new StopAndGoMixer(1 + (capacity % 16), time, forwarder, _metrics, random: new SeededShuffleRandom(seed));
        var ledger = new Ledger();

        foreach (byte op in ops ?? [])
        {
            int arg = op >> 2;
            switch (op & 3)
            {
                case 3:
                    time.Advance(TimeSpan.FromMilliseconds(arg));
                    break;
                case 2:
                    ledger.Offer(mixer, time, TimeSpan.FromMilliseconds(arg * 0.1));
                    break;
                default:
                    ledger.Offer(mixer, time, TimeSpan.FromMilliseconds(arg));
                    break;
            }
        }

        if (settle)
        {
            time.Advance(TimeSpan.FromMilliseconds(64));
            Assert.Equal(0, mixer.Count);
        }

        // Stop-and-go never lets a packet go before its due time.
        Assert.All(forwarder.Departures, d => Assert.True(d.At >= ledger.Due[d.Id]));
        ledger.DrainAndCheck(mixer, time, forwarder);
    }

    /// <summary>
    /// Pool settings from four bytes (interval 0 or 1–20 ms, a threshold or none, min-pool 0–4, fraction 0.1–1), ops
    /// as for stop-and-go (the delay is ignored). With <paramref name="settle"/>, enough ticks that at most the
    /// min-pool (timer) or fewer than the threshold (threshold only) remain.
    /// </summary>
    [Property(MaxTest = 300)]
    public void Pool_accepted_packets_leave_once_or_are_drained_and_refused_ones_never_leave(byte[] ops, byte capacity, byte interval, byte threshold, byte minPool, byte fraction, int seed, bool settle)
    {
        var time = new FakeTimeProvider(s_start);
        var forwarder = new CollectingForwarder(time);
        PoolParameters parameters = PoolFrom(capacity, interval, threshold, minPool, fraction, out int cap);
        var mixer = new TimedPoolMixer(parameters, cap, time, forwarder, _metrics, random: new SeededShuffleRandom(seed));
        var ledger = new Ledger();

        foreach (byte op in ops ?? [])
        {
            if ((op & 3) == 3)
            {
                time.Advance(TimeSpan.FromMilliseconds(op >> 2));
            }
            else
            {
                ledger.Offer(mixer, time, TimeSpan.FromMilliseconds(op >> 2));
            }

            // A threshold pool never waits at its threshold.
            Assert.True(parameters.Threshold == 0 || mixer.Count < parameters.Threshold);
        }

        if (settle && parameters.Interval > TimeSpan.Zero)
        {
            for (int tick = 0; tick < cap + 1; tick++)
            {
                time.Advance(parameters.Interval);
            }

            Assert.InRange(mixer.Count, 0, parameters.MinPool);
        }

        ledger.DrainAndCheck(mixer, time, forwarder);
    }

    /// <summary>
    /// On the system clock (on Linux the stop-and-go alarm is then its own precise-timer thread) while two threads
    /// enqueue: a fake clock cannot be stepped from a third thread here, since it runs alarms under its own lock while
    /// an enqueue re-arms the alarm under the mixer's. Delays of 0–3 ms; nothing here depends on how fast it runs.
    /// </summary>
    [Fact]
    public async Task Stop_and_go_with_two_writers_on_the_system_clock_loses_and_duplicates_nothing()
    {
        var forwarder = new CollectingForwarder(TimeProvider.System);
        var mixer = new StopAndGoMixer(500, TimeProvider.System, forwarder, _metrics);
        await ConcurrentlyAsync(mixer, forwarder, random => TimeSpan.FromTicks(random.Next(30_000)));
    }

    [Fact]
    public async Task Pool_with_two_writers_on_the_system_clock_loses_and_duplicates_nothing()
    {
        var forwarder = new CollectingForwarder(TimeProvider.System);
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(1), threshold: 50, minPool: 10, fraction: 0.6);
        var mixer = new TimedPoolMixer(parameters, 500, TimeProvider.System, forwarder, _metrics);
        await ConcurrentlyAsync(mixer, forwarder, _ => TimeSpan.Zero);
    }

    /// <summary>Two threads offer 20,000 packets each while the mixer's own timer releases; then drain and check.</summary>
    private static async Task ConcurrentlyAsync(IMixer mixer, CollectingForwarder forwarder, Func<Random, TimeSpan> delay)
    {
        const int perWriter = 20_000;
        var ledgers = new[] { new Ledger(0), new Ledger(perWriter) };
        await Task.WhenAll(ledgers.Select((ledger, w) => Task.Run(() =>
        {
            var random = new Random(w);
            for (int i = 0; i < perWriter; i++)
            {
                ledger.Offer(mixer, TimeProvider.System, delay(random));
            }
        })));

        // The mixer's own timer is still releasing here, so the count can only fall between reading it and draining.
        int held = mixer.Count;
        List<OutgoingPacket> drained = mixer.Drain();
        Assert.InRange(drained.Count, 0, held);
        mixer.Dispose();

        // A release that took its packets before the drain may still be handing them on: wait for the count to settle.
        int accepted = ledgers.Sum(l => l.Accepted.Count);
        Assert.True(accepted > 0);
        Assert.True(await Eventually.TrueAsync(() => forwarder.Ids().Length + drained.Count >= accepted, TimeSpan.FromSeconds(10)));

        int[] outOfTheMixer = [.. forwarder.Ids(), .. drained.Select(p => MixerPackets.Id(p))];
        Assert.Equal(ledgers.SelectMany(l => l.Accepted).Order(), outOfTheMixer.Order());
        Assert.Empty(outOfTheMixer.Intersect(ledgers.SelectMany(l => l.Refused)));
    }

    private static PoolParameters PoolFrom(byte capacity, byte interval, byte threshold, byte minPool, byte fraction, out int cap)
    {
        int min = minPool % 5;
        int intervalMs = interval % 3 == 0 ? 0 : 1 + (interval % 20);
        cap = min + 1 + (capacity % 16);

        // A threshold above the capacity with no clock would never be reached (a separate test covers that case).
        int? byCount = intervalMs == 0 || threshold % 2 == 1 ? min + 1 + (threshold % (cap - min)) : null;
        return new PoolParameters(TimeSpan.FromMilliseconds(intervalMs), byCount ?? 0, min, (1 + (fraction % 10)) / 10.0);
    }

    /// <summary>What was offered, accepted and refused, by id; and the final check against what left and was drained.</summary>
    private sealed class Ledger(int firstId = 0)
    {
        private int _next = firstId;

        public List<int> Accepted { get; } = [];

        public List<int> Refused { get; } = [];

        public Dictionary<int, long> Due { get; } = [];

        public void Offer(IMixer mixer, TimeProvider time, TimeSpan delay)
        {
            int id = _next++;
            OutgoingPacket packet = MixerPackets.Make(id, time, delay);
            Due[id] = packet.DueTimestamp;
            (mixer.TryEnqueue(packet) ? Accepted : Refused).Add(id);
        }

        /// <summary>Drain (it must return exactly <see cref="IMixer.Count"/>), dispose, let time pass, then account for every id.</summary>
        public void DrainAndCheck(IMixer mixer, FakeTimeProvider time, CollectingForwarder forwarder)
        {
            int held = mixer.Count;
            List<OutgoingPacket> drained = mixer.Drain();
            Assert.Equal(held, drained.Count);
            Assert.Equal(0, mixer.Count);
            mixer.Dispose();
            int leftBefore = forwarder.Departures.Count;
            time.Advance(TimeSpan.FromHours(1));
            Assert.Equal(leftBefore, forwarder.Departures.Count);

            int[] outOfTheMixer = [.. forwarder.Ids(), .. drained.Select(p => MixerPackets.Id(p))];
            Assert.Equal(Accepted.Order(), outOfTheMixer.Order());
            Assert.Empty(outOfTheMixer.Intersect(Refused));
        }
    }
}
