using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Mixnode.Node.Forwarding;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Benchmarks.Mixing;

/// <summary>
/// Steady-state cost per packet of each mixing strategy with <see cref="Held"/> packets held: one packet in and, on
/// average, one out per packet, including the CSPRNG draws, the alarm or tick, and the gate-less release to a forwarder
/// that drops it. The clock is moved by hand (<see cref="ManualClock"/>), so what is measured is the mixer's work, not
/// waiting; on a node the alarm is a thread woken by the kernel (stop-and-go) or a thread-pool timer (pool), not counted here.
/// <list type="bullet">
/// <item>Stop-and-go: delays Exp(mean 100 s) in whole milliseconds, one arrival per simulated millisecond, so by
/// Little's law 100,000 are held and a millisecond releases one on average (sometimes none, sometimes a few, shuffled).
/// The initial 100,000 get Exp delays too, which is already the steady state (memorylessness).</item>
/// <item>Pool: a 1 ms tick that sends ⌊0.5 × (n − min-pool)⌋, with the min-pool set so each tick sends exactly one round
/// of arrivals, chosen at random among all 100,000 (SelectToFront): rounds of 1 packet (the worst case, a flush per
/// packet) and of 1,000.</item>
/// </list>
/// The "Held B/packet" column is the memory the mixer holds per packet beyond its buffer (<see cref="MixerFootprint"/>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class MixerBenchmarks
{
    public const int Held = 100_000;

    /// <summary>NodeOptions.DelayQueueCapacity's default.</summary>
    public const int Capacity = 262_144;

    /// <summary>The default geometry's packet; one buffer shared by all, so buffers cost nothing here.</summary>
    public const int PacketLength = 3082;

    private const int DelayTableSize = 1 << 16;
    private const double MeanDelayMs = Held;

    private readonly byte[] _buffer = new byte[PacketLength];
    private ManualClock _clock = new();
    private NullForwarder _forwarder = new();
    private IMixer? _mixer;
    private long[] _delays = [];
    private int _nextDelay;
    private int _round;

    [GlobalSetup(Target = nameof(StopAndGo))]
    public void SetupStopAndGo()
    {
        Reset();
        var random = new Random(1);
        _delays = [.. Enumerable.Range(0, DelayTableSize).Select(_ => Math.Max(1, (long)Math.Ceiling(-MeanDelayMs * Math.Log(1 - random.NextDouble()))))];
        _mixer = new StopAndGoMixer(Capacity, _clock, _forwarder, new NodeMetrics(new PlainMeterFactory()));
        for (int i = 0; i < Held; i++)
        {
            Enqueue(_delays[i % DelayTableSize]);
        }
    }

    [GlobalSetup(Target = nameof(PoolRoundOfOne))]
    public void SetupPoolRoundOfOne() => SetupPool(1);

    [GlobalSetup(Target = nameof(PoolRoundOfThousand))]
    public void SetupPoolRoundOfThousand() => SetupPool(1_000);

    [GlobalCleanup]
    public void Cleanup()
    {
        // Shows in the log that the steady state held: about Held packets still in the mixer.
        Console.WriteLine($"// mixer held {_mixer!.Count:N0} at the end; forwarded {_forwarder.Forwarded:N0}");
        _mixer.Dispose();
    }

    [Benchmark(Description = "stop-and-go: enqueue one, release one (100,000 held)")]
    public void StopAndGo()
    {
        Enqueue(_delays[_nextDelay++ & (DelayTableSize - 1)]);
        _clock.Advance(1);
    }

    [Benchmark(Description = "pool: enqueue one, flush one of 100,000")]
    public void PoolRoundOfOne()
    {
        Enqueue(0);
        _clock.Advance(1);
    }

    [Benchmark(Description = "pool: enqueue 1,000, flush 1,000 of 100,000 (per packet)", OperationsPerInvoke = 1_000)]
    public void PoolRoundOfThousand()
    {
        for (int i = 0; i < _round; i++)
        {
            Enqueue(0);
        }

        _clock.Advance(1);
    }

    private void SetupPool(int round)
    {
        Reset();
        _round = round;

        // Before a tick Held wait; ⌊0.5 × 2·round⌋ = round leave; Held − round stay for the next arrivals.
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(1), threshold: 0, minPool: Held - (2 * round), fraction: 0.5);
        _mixer = new TimedPoolMixer(parameters, Capacity, _clock, _forwarder, new NodeMetrics(new PlainMeterFactory()));
        for (int i = 0; i < Held - round; i++)
        {
            Enqueue(0);
        }
    }

    private void Reset()
    {
        _clock = new ManualClock();
        _forwarder = new NullForwarder();
        _nextDelay = 0;
    }

    private void Enqueue(long delayMs)
    {
        long now = _clock.GetTimestamp();
        if (!_mixer!.TryEnqueue(new OutgoingPacket(_buffer, default, now, now + delayMs)))
        {
            throw new InvalidOperationException("the mixer refused a packet: the benchmark left its steady state");
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new HeldBytesColumn());
    }
}
