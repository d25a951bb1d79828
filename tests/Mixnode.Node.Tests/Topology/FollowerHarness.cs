using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Keys;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Topology;

/// <summary>
/// A <see cref="ConsensusFollower"/> on a fake clock (16-second epochs: descriptor deadline at 4 s, signatures by
/// 10 s, publication by 12 s), a key directory with mix keys for the epochs the tests use, and the stub authorities.
/// Time moves in small steps, each followed by a short real pause so the follower's loop runs its round.
/// </summary>
internal sealed class FollowerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(16);
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    public const long E = 1000;

    private readonly bool _ownsShared;
    private readonly TestMeterFactory _meters = new();
    private readonly List<ConsensusFollower> _followers = [];

    public FollowerHarness(DateTimeOffset? start = null, StubDirectory? directory = null, TempDirectory? files = null)
    {
        Time = new FakeTimeProvider(start ?? EpochClock.Origin + (Period * E) + TimeSpan.FromMilliseconds(100));
        Clock = new EpochClock(Time, Period);
        Schedule = new EpochSchedule(Clock);
        _ownsShared = directory is null;
        Directory = directory ?? new StubDirectory(Time);
        Files = files ?? new TempDirectory();
        Keys = new NodeKeyStore(Files.Combine("keys"));
        if (files is null)
        {
            Keys.CreateDirectories();
            Keys.EnsureIdentityKey();
            Keys.EnsureLinkKey();
            Keys.GenerateMixKeys(E - 1, 8);
            Keys.WriteDescriptor(Keys.BuildDescriptor("self", ["127.0.0.1:39999"], NodeRole.Mix, 0));
        }

        Metrics = new ConsensusMetrics(_meters);
        Refused = new MetricCollector<long>(_meters, NodeMetrics.MeterName, "mixnode.consensus.refused");
        Missed = new MetricCollector<long>(_meters, NodeMetrics.MeterName, "mixnode.consensus.missed");
        FetchFailures = new MetricCollector<long>(_meters, NodeMetrics.MeterName, "mixnode.consensus.fetch.failures");
        Uploads = new MetricCollector<long>(_meters, NodeMetrics.MeterName, "mixnode.descriptor.uploads");
    }

    public FakeTimeProvider Time { get; }

    public EpochClock Clock { get; }

    public EpochSchedule Schedule { get; }

    public StubDirectory Directory { get; }

    public TempDirectory Files { get; }

    public NodeKeyStore Keys { get; }

    public ConsensusMetrics Metrics { get; }

    public MetricCollector<long> Refused { get; }

    public MetricCollector<long> Missed { get; }

    public MetricCollector<long> FetchFailures { get; }

    public MetricCollector<long> Uploads { get; }

    public NodeDescriptor Self => Keys.TryReadDescriptor()!;

    public ConsensusFollower NewFollower(TimeSpan? startTimeout = null)
    {
        var follower = new ConsensusFollower(
            Directory.Authorities,
            Keys,
            Clock,
            SphinxGeometry.Default,
            new ConsensusCache(Files.Combine("state")),
            new AuthoritiesOptions { StartTimeout = startTimeout ?? TimeSpan.FromSeconds(30), PollInterval = TimeSpan.FromMilliseconds(500), RequestTimeout = TimeSpan.FromSeconds(5) },
            Metrics,
            NullLogger<ConsensusFollower>.Instance,
            Directory);
        _followers.Add(follower);
        return follower;
    }

    /// <summary>A consensus for <paramref name="epoch"/> (covering it and the next): a provider, this node (unless left out) and two more mixes.</summary>
    public NetworkDocument Document(long epoch, bool includeSelf = true)
    {
        NodeDescriptor Node(string name, NodeRole role, int layer, int port) => TestNetwork.Node(name, role, layer, port, firstEpoch: epoch, epochs: 2);
        var layer0 = new List<NodeDescriptor> { Node("mix-0b", NodeRole.Mix, 0, 30010) };
        if (includeSelf)
        {
            layer0.Add(Keys.RefreshDescriptor(Self).WithMixKeys(new EpochRange(epoch, epoch + 1)));
        }

        return new NetworkDocument(
            Period,
            SphinxGeometry.Default,
            new MixingParameters(50, 0.5),
            new EpochRange(epoch, epoch + 1),
            [Node("provider-0", NodeRole.Provider, 0, 30000)],
            [layer0, [Node("mix-1", NodeRole.Mix, 1, 30020)]],
            epoch);
    }

    /// <summary>Moves the fake clock by <paramref name="by"/> in small steps, letting the follower run after each.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        DateTimeOffset end = Time.GetUtcNow() + by;
        while (Time.GetUtcNow() < end)
        {
            TimeSpan left = end - Time.GetUtcNow();
            Time.Advance(left < Step ? left : Step);
            await Settle();
        }
    }

    public Task AdvanceToAsync(DateTimeOffset instant) => AdvanceAsync(instant - Time.GetUtcNow());

    /// <summary>A short real pause: the loop's round after a timer fired runs on the thread pool.</summary>
    public static Task Settle() => Task.Delay(20);

    public static long Total(MetricCollector<long> counter) => counter.GetMeasurementSnapshot().Sum(m => m.Value);

    public long RefusedFor(string reason) => Refused.GetMeasurementSnapshot().Where(m => Equals(m.Tags["reason"], reason)).Sum(m => m.Value);

    public async ValueTask DisposeAsync()
    {
        foreach (ConsensusFollower follower in _followers)
        {
            await follower.DisposeAsync();
        }

        Refused.Dispose();
        Missed.Dispose();
        FetchFailures.Dispose();
        Uploads.Dispose();
        _meters.Dispose();
        if (_ownsShared)
        {
            Directory.Dispose();
            Files.Dispose();
        }
    }
}
