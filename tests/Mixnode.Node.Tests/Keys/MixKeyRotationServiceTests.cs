using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Node.Tests.Keys;

public sealed class MixKeyRotationServiceTests : IDisposable
{
    private const long Epoch = 500;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(EpochClock.Origin.AddMinutes((20 * Epoch) + 7));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Each_boundary_rotates_generates_prunes_and_rewrites_the_descriptor()
    {
        var store = new NodeKeyStore(_dir.Path);
        store.CreateDirectories();
        store.EnsureIdentityKey();
        store.EnsureLinkKey();
        store.GenerateMixKeys(Epoch - 1, 1);
        store.WriteDescriptor(store.BuildDescriptor("mix-0", ["127.0.0.1:30001"], NodeRole.Mix, 0));
        var clock = new EpochClock(_time);
        using var ring = new MixKeyRing(store, clock, retireGrace: TimeSpan.FromSeconds(10));
        var retired = new List<long>();
        ring.KeyRetired += retired.Add;
        using var service = new MixKeyRotationService(ring, store, clock, NullLogger<MixKeyRotationService>.Instance);

        await service.StartAsync(CancellationToken.None);
        Assert.Equal([Epoch - 1, Epoch, Epoch + 1, Epoch + 2], store.MixKeyEpochs());
        Assert.Equal([Epoch - 1, Epoch, Epoch + 1, Epoch + 2], store.TryReadDescriptor()!.MixKeys.Keys);

        _time.Advance(clock.TillNext);
        Assert.Equal(Epoch + 1, ring.CurrentEpoch);
        Assert.Equal([Epoch + 1, Epoch, Epoch + 2], ring.TryOrder.Select(k => k.Epoch));
        Assert.Equal([Epoch - 1], retired);
        Assert.Equal([Epoch, Epoch + 1, Epoch + 2, Epoch + 3], store.MixKeyEpochs());
        NodeDescriptor descriptor = store.TryReadDescriptor()!;
        Assert.Equal([Epoch, Epoch + 1, Epoch + 2, Epoch + 3], descriptor.MixKeys.Keys);
        Assert.Equal("mix-0", descriptor.Name);

        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(Epoch + 2, ring.CurrentEpoch);
        Assert.Equal([Epoch - 1, Epoch], retired);

        await service.StopAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(Epoch + 2, ring.CurrentEpoch);
    }
}
