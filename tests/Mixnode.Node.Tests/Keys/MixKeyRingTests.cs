using Microsoft.Extensions.Time.Testing;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Node.Tests.Keys;

public sealed class MixKeyRingTests : IDisposable
{
    private const long Epoch = 1000;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(EpochClock.Origin.AddMinutes((20 * Epoch) + 1));
    private readonly NodeKeyStore _store;
    private readonly EpochClock _clock;

    public MixKeyRingTests()
    {
        _store = new NodeKeyStore(_dir.Path);
        _store.CreateDirectories();
        _clock = new EpochClock(_time);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Try_order_is_current_then_previous_then_next()
    {
        _store.GenerateMixKeys(Epoch - 1, 3);
        using var ring = new MixKeyRing(_store, _clock, generateMissing: false);
        Assert.Equal([Epoch, Epoch - 1, Epoch + 1], ring.TryOrder.Select(k => k.Epoch));
        Assert.Equal(Epoch, ring.CurrentEpoch);
    }

    [Fact]
    public void Missing_neighbours_are_skipped_and_a_missing_current_key_is_an_error()
    {
        _store.GenerateMixKeys(Epoch, 1);
        using (var ring = new MixKeyRing(_store, _clock, generateMissing: false))
        {
            Assert.Equal([Epoch], ring.TryOrder.Select(k => k.Epoch));
        }

        File.Delete(_store.MixKeyPath(Epoch));
        var e = Assert.Throws<KeyFileException>(() => new MixKeyRing(_store, _clock, generateMissing: false));
        Assert.Contains(_store.MixKeyPath(Epoch), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generating_ring_creates_current_and_next()
    {
        using var ring = new MixKeyRing(_store, _clock);
        Assert.Equal([Epoch, Epoch + 1], ring.TryOrder.Select(k => k.Epoch));
        Assert.Equal([Epoch, Epoch + 1], _store.MixKeyEpochs());
    }

    [Fact]
    public void The_snapshot_is_stable_within_an_epoch()
    {
        using var ring = new MixKeyRing(_store, _clock);
        var first = ring.TryOrder;
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(ring.Rotate());
        Assert.True(first == ring.TryOrder);
    }

    [Fact]
    public void Rotation_retires_the_key_two_epochs_old_and_disposes_it_after_the_grace()
    {
        _store.GenerateMixKeys(Epoch - 1, 4);
        using var ring = new MixKeyRing(_store, _clock, retireGrace: TimeSpan.FromSeconds(30));
        var retired = new List<long>();
        ring.KeyRetired += retired.Add;
        MixKey old = ring.Find(Epoch - 1)!;
        MixKey current = ring.Find(Epoch)!;

        _time.Advance(_clock.TillNext);
        Assert.True(ring.Rotate());
        Assert.Equal([Epoch + 1, Epoch, Epoch + 2], ring.TryOrder.Select(k => k.Epoch));
        Assert.Equal([Epoch - 1], retired);
        Assert.Same(current, ring.Find(Epoch));

        // A worker that took the old snapshot can still use the retired key during the grace period.
        Assert.Equal(32, old.PrivateKey.PublicKey.Length);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Throws<ObjectDisposedException>(() => old.PrivateKey.PublicKey.Length);
        Assert.Equal(32, current.PrivateKey.PublicKey.Length);
    }

    [Fact]
    public void A_jump_over_several_epochs_retires_everything_old()
    {
        _store.GenerateMixKeys(Epoch - 1, 3);
        using var ring = new MixKeyRing(_store, _clock);
        var retired = new List<long>();
        ring.KeyRetired += retired.Add;
        _time.Advance(TimeSpan.FromMinutes(20 * 10));
        ring.Rotate();
        Assert.Equal([Epoch - 1, Epoch, Epoch + 1], retired.Order());
        Assert.Equal([Epoch + 10, Epoch + 11], ring.TryOrder.Select(k => k.Epoch));
    }

    [Fact]
    public void Dispose_releases_every_key_including_those_in_grace()
    {
        _store.GenerateMixKeys(Epoch - 1, 3);
        var ring = new MixKeyRing(_store, _clock);
        MixKey old = ring.Find(Epoch - 1)!;
        MixKey current = ring.Find(Epoch)!;
        _time.Advance(_clock.TillNext);
        ring.Rotate();
        ring.Dispose();
        Assert.Throws<ObjectDisposedException>(() => old.PrivateKey.PublicKey.Length);
        Assert.Throws<ObjectDisposedException>(() => current.PrivateKey.PublicKey.Length);
        Assert.True(ring.TryOrder.IsEmpty);
    }
}
