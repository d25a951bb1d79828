using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Keys;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Unwrap;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>
/// The per-key filters as the node wires them (ring, rotation, retirement): a filter lives as long as its key can be
/// used, survives clock steps, and a filter that went missing, was emptied or replaced is an error, never a fresh start.
/// </summary>
public sealed class ReplayFilterSetTests : IDisposable
{
    private const long Epoch = 1000;
    private readonly TempDirectory _dir = new();
    private readonly SteppedTime _time = new(EpochClock.Origin.AddMinutes((20 * Epoch) + 7));
    private readonly NodeKeyStore _store;
    private readonly EpochClock _clock;

    public ReplayFilterSetTests()
    {
        _store = new NodeKeyStore(_dir.Combine("keys"));
        _store.CreateDirectories();
        _clock = new EpochClock(_time);
    }

    private string StateDirectory => _dir.Combine("state");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_key_that_comes_back_after_the_clock_stepped_back_still_refuses_what_it_accepted()
    {
        using var node = new Wiring(this);
        Bytes32 underCurrent = Tag(1);
        Bytes32 underNext = Tag(2);
        Assert.True(node.Filters.TryAccept(Epoch, underCurrent));
        Assert.True(node.Filters.TryAccept(Epoch + 1, underNext));

        // An NTP step or a VM restore two epochs back: the keys of Epoch and Epoch + 1 leave the ring (retired)...
        _time.Step(-2 * _clock.Period);
        node.Rotate();
        Assert.Null(node.Ring.Find(Epoch));
        Assert.Null(node.Ring.Find(Epoch + 1));

        // ...and come back when the clock is put right: with every tag they accepted before.
        _time.Step(2 * _clock.Period);
        node.Rotate();
        Assert.NotNull(node.Ring.Find(Epoch));
        Assert.False(node.Filters.TryAccept(Epoch, underCurrent));
        Assert.False(node.Filters.TryAccept(Epoch + 1, underNext));
        Assert.True(node.Filters.TryAccept(Epoch, Tag(3)));
    }

    [Fact]
    public void Readings_cover_every_open_filter_by_its_key_relative_to_the_current_epoch()
    {
        using var node = new Wiring(this);
        Assert.All(node.Filters.Readings(Epoch), r => Assert.Equal(0, r.Fill));

        Assert.True(node.Filters.TryAccept(Epoch, Tag(1)));
        Assert.True(node.Filters.TryAccept(Epoch, Tag(2)));
        Assert.True(node.Filters.TryAccept(Epoch + 1, Tag(3)));

        IReadOnlyList<ReplayFilterReading> now = node.Filters.Readings(Epoch);
        Assert.Equal([ReplayFilterKey.Current, ReplayFilterKey.Next], now.Select(r => r.Key));
        Assert.True(now[0].Fill > now[1].Fill && now[1].Fill > 0);
        Assert.All(now, r => Assert.InRange(r.FalsePositiveRate, 0, 1e-6));

        // One epoch on, the same two filters are the previous and the current key's.
        IReadOnlyList<ReplayFilterReading> later = node.Filters.Readings(Epoch + 1);
        Assert.Equal([ReplayFilterKey.Previous, ReplayFilterKey.Current], later.Select(r => r.Key));
        Assert.Equal(now.Select(r => r.Fill), later.Select(r => r.Fill));
    }

    [Fact]
    public void A_retired_filter_stays_while_its_key_file_does_and_goes_after_it()
    {
        using var node = new Wiring(this);
        Assert.True(node.Filters.TryAccept(Epoch, Tag(1)));
        Assert.True(node.Filters.TryAccept(Epoch + 1, Tag(2)));
        string current = ReplayFilter.PathFor(StateDirectory, Epoch);
        string next = ReplayFilter.PathFor(StateDirectory, Epoch + 1);

        // One epoch back: the key of Epoch + 1 is retired but its key file stays, so its filter file does too.
        _time.Step(-_clock.Period);
        node.Rotate();
        Assert.Null(node.Ring.Find(Epoch + 1));
        Assert.True(File.Exists(_store.MixKeyPath(Epoch + 1)));
        Assert.True(File.Exists(next));

        // Forward to Epoch + 2: the key of Epoch retires and its key file and marker are pruned...
        _time.Step(3 * _clock.Period);
        node.Rotate();
        Assert.Null(node.Ring.Find(Epoch));
        Assert.False(File.Exists(_store.MixKeyPath(Epoch)));
        Assert.False(File.Exists(_store.ReplayMarkerPath(Epoch)));

        // ...and the next retirement deletes the filter whose key is gone.
        _time.Step(_clock.Period);
        node.Rotate();
        Assert.False(File.Exists(current));
        Assert.True(File.Exists(next));
    }

    [Fact]
    public void A_brand_new_key_gets_a_fresh_filter_and_a_marker_naming_it()
    {
        _store.GenerateMixKeys(Epoch, 1);
        using var filters = NewSet();
        filters.Prepare(Epoch);

        Assert.True(File.Exists(ReplayFilter.PathFor(StateDirectory, Epoch)));
        byte[]? marker = _store.TryReadReplayMarker(Epoch);
        Assert.NotNull(marker);
        Assert.Equal(ReplayFilterHeader.IdentityLength, marker.Length);
    }

    [Fact]
    public void A_deleted_filter_of_a_used_key_is_an_error_not_a_fresh_filter()
    {
        UseKey();
        File.Delete(ReplayFilter.PathFor(StateDirectory, Epoch));

        AssertRefused(ReplayFilterFileError.Missing);
        Assert.False(File.Exists(ReplayFilter.PathFor(StateDirectory, Epoch)));
    }

    [Fact]
    public void A_filter_emptied_to_zero_bytes_is_an_error()
    {
        UseKey();
        File.WriteAllBytes(ReplayFilter.PathFor(StateDirectory, Epoch), []);

        AssertRefused(ReplayFilterFileError.Truncated);
    }

    [Fact]
    public void A_filter_with_a_damaged_header_is_an_error()
    {
        UseKey();
        using (var stream = new FileStream(ReplayFilter.PathFor(StateDirectory, Epoch), FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 60;
            int b = stream.ReadByte();
            stream.Position = 60;
            stream.WriteByte((byte)(b ^ 0x01));
        }

        AssertRefused(ReplayFilterFileError.CorruptHeader);
    }

    [Fact]
    public void A_filter_replaced_by_a_fresh_one_is_an_error()
    {
        UseKey();
        string path = ReplayFilter.PathFor(StateDirectory, Epoch);
        File.Delete(path);
        ReplayFilter.Open(path, Options()).Dispose();

        AssertRefused(ReplayFilterFileError.Replaced);
    }

    [Fact]
    public void A_filter_lost_while_running_refuses_its_key_s_packets_and_reports_once_without_throwing()
    {
        _store.GenerateMixKeys(Epoch, 2);
        using (var first = NewSet())
        {
            first.Prepare(Epoch);
            first.Prepare(Epoch + 1);
            Assert.True(first.TryAccept(Epoch + 1, Tag(1)));
        }

        File.Delete(ReplayFilter.PathFor(StateDirectory, Epoch + 1));
        var failures = new List<(long Epoch, Exception Error)>();
        using var filters = new ReplayFilterSet(StateDirectory, _store, Options(), _time, openFailed: (epoch, e) => failures.Add((epoch, e)));
        filters.Prepare(Epoch);

        Assert.False(filters.TryAccept(Epoch + 1, Tag(1)));
        Assert.False(filters.TryAccept(Epoch + 1, Tag(2)));
        (long failedEpoch, Exception error) = Assert.Single(failures);
        Assert.Equal(Epoch + 1, failedEpoch);
        Assert.Equal(ReplayFilterFileError.Missing, Assert.IsType<ReplayFilterFileException>(error).Error);
        Assert.Equal([Epoch + 1], filters.FailedEpochs);

        // The other key is unaffected.
        Assert.True(filters.TryAccept(Epoch, Tag(3)));
    }

    [Fact]
    public void A_crash_between_creating_the_filter_and_writing_its_marker_reopens_the_filter()
    {
        Bytes32 seen = Tag(1);
        UseKey(seen);
        File.Delete(_store.ReplayMarkerPath(Epoch));

        using var filters = NewSet();
        filters.Prepare(Epoch);
        Assert.False(filters.TryAccept(Epoch, seen));
        Assert.NotNull(_store.TryReadReplayMarker(Epoch));
    }

    [Fact]
    public void A_new_key_generated_for_an_epoch_whose_old_key_was_pruned_drops_the_old_marker()
    {
        UseKey();
        File.Delete(_store.MixKeyPath(Epoch));

        _store.GenerateMixKeys(Epoch, 1);

        Assert.Null(_store.TryReadReplayMarker(Epoch));
    }

    private void UseKey(Bytes32? tag = null)
    {
        _store.GenerateMixKeys(Epoch, 1);
        using var filters = NewSet();
        filters.Prepare(Epoch);
        Assert.True(filters.TryAccept(Epoch, tag ?? Tag(99)));
    }

    private void AssertRefused(ReplayFilterFileError expected)
    {
        using var filters = NewSet();
        var e = Assert.Throws<ReplayFilterFileException>(() => filters.Prepare(Epoch));
        Assert.Equal(expected, e.Error);
        Assert.Contains(ReplayFilter.PathFor(StateDirectory, Epoch), e.Message, StringComparison.Ordinal);
    }

    private ReplayFilterSet NewSet() => new(StateDirectory, _store, Options(), _time);

    private static ReplayFilterOptions Options() => new() { Capacity = 10_000, FlushInterval = Timeout.InfiniteTimeSpan };

    private static Bytes32 Tag(int seed)
    {
        Span<byte> bytes = stackalloc byte[32];
        SHA256.HashData(BitConverter.GetBytes(seed), bytes);
        return Bytes32.From(bytes);
    }

    /// <summary>Ring, rotation and filters connected as NodeService connects them (retire grace zero).</summary>
    private sealed class Wiring : IDisposable
    {
        private readonly MixKeyRotationService _rotation;

        public Wiring(ReplayFilterSetTests test)
        {
            Ring = new MixKeyRing(test._store, test._clock, generateMissing: true, retireGrace: TimeSpan.Zero);
            _rotation = new MixKeyRotationService(Ring, test._store, test._clock, NullLogger<MixKeyRotationService>.Instance);
            Filters = test.NewSet();
            Ring.KeyRetired += Filters.Retire;
            _rotation.RotateNow();
            foreach (MixKey key in Ring.TryOrder)
            {
                Filters.Prepare(key.Epoch);
            }
        }

        public MixKeyRing Ring { get; }

        public ReplayFilterSet Filters { get; }

        /// <summary>What the rotation timer does at a boundary; filters of keys that enter the ring open on their first packet.</summary>
        public void Rotate() => _rotation.RotateNow();

        public void Dispose()
        {
            _rotation.Dispose();
            Filters.Dispose();
            Ring.Dispose();
        }
    }

    /// <summary>A clock that may be stepped back, as NTP or a VM restore does (FakeTimeProvider only moves forward).</summary>
    private sealed class SteppedTime(DateTimeOffset start) : TimeProvider
    {
        private readonly FakeTimeProvider _timers = new(start);
        private TimeSpan _offset;

        public void Step(TimeSpan by) => _offset += by;

        public override DateTimeOffset GetUtcNow() => _timers.GetUtcNow() + _offset;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            _timers.CreateTimer(callback, state, dueTime, period);
    }
}
