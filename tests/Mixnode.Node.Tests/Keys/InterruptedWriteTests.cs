using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Unwrap;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Pki;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Keys;

/// <summary>
/// A node killed in the middle of writing its data directory (a mix key, a filter marker, a replay filter, the
/// descriptor, a prune) starts again from what it left: every write is temp-then-rename, and the start-up path
/// (ring, rotation, filters, in the order the host runs them) ignores or cleans up the leftovers.
/// </summary>
public sealed class InterruptedWriteTests : IDisposable
{
    private const long Epoch = 1000;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(EpochClock.Origin.AddMinutes((20 * (Epoch - 3)) + 3));
    private readonly NodeKeyStore _store;
    private readonly EpochClock _clock;

    public InterruptedWriteTests()
    {
        _store = new NodeKeyStore(_dir.Combine("keys"));
        _store.CreateDirectories();
        _clock = new EpochClock(_time);
    }

    private string MixDirectory => Path.Combine(_store.Directory, NodeKeyStore.MixDirectory);

    private string StateDirectory => _dir.Combine("state");

    public void Dispose() => _dir.Dispose();

    public enum KeyWriteStage
    {
        /// <summary>The temporary file was created and nothing written yet.</summary>
        TempCreated,

        /// <summary>Half the key file was written.</summary>
        TempHalfWritten,

        /// <summary>The whole key file was written and flushed, the rename did not happen.</summary>
        TempCompleteNotRenamed,
    }

    [Theory]
    [InlineData(KeyWriteStage.TempCreated, 0)]
    [InlineData(KeyWriteStage.TempHalfWritten, 0)]
    [InlineData(KeyWriteStage.TempCompleteNotRenamed, 0)]
    [InlineData(KeyWriteStage.TempCreated, 2)]
    [InlineData(KeyWriteStage.TempHalfWritten, 2)]
    [InlineData(KeyWriteStage.TempCompleteNotRenamed, 2)]
    public void A_mix_key_write_interrupted_at_any_step_still_starts(KeyWriteStage stage, int epochOffset)
    {
        // A node that ran before: keys and filters for the previous epoch onwards.
        StartAndStop(Epoch - 1);
        long epoch = Epoch + epochOffset;
        File.Delete(_store.ReplayMarkerPath(epoch));
        File.Delete(_store.MixKeyPath(epoch));
        string temp = LeftoverKeyTemp(epoch, stage);

        StartAndStop(Epoch);

        Assert.Contains(epoch, _store.MixKeyEpochs());
        using MixKey? key = _store.TryLoadMixKey(epoch);
        Assert.NotNull(key);

        // The leftover is a private key that was never used: the next rotation deletes it once it is stale.
        Assert.True(File.Exists(temp));
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow - NodeKeyStore.StaleTemporaryAge - TimeSpan.FromSeconds(1));
        StartAndStop(Epoch);
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void A_marker_write_interrupted_before_its_rename_still_starts_and_keeps_the_filter()
    {
        StartAndStop(Epoch);
        File.Delete(_store.ReplayMarkerPath(Epoch));
        File.WriteAllText(Path.Combine(MixDirectory, $".{Epoch}.replay.0a1b2c3d4e5f.tmp"), "ab");

        StartAndStop(Epoch);

        Assert.NotNull(_store.TryReadReplayMarker(Epoch));
    }

    [Fact]
    public void A_filter_creation_interrupted_before_its_rename_still_starts_with_a_fresh_filter()
    {
        _store.GenerateMixKeys(Epoch, 3);
        Directory.CreateDirectory(StateDirectory);
        string path = ReplayFilter.PathFor(StateDirectory, Epoch);
        File.WriteAllBytes(path + ".tmp", new byte[100]);

        StartAndStop(Epoch);

        Assert.True(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_descriptor_write_interrupted_before_its_rename_still_starts_with_the_old_descriptor()
    {
        StartAndStop(Epoch);
        _store.EnsureIdentityKey();
        _store.EnsureLinkKey();
        NodeDescriptor descriptor = _store.BuildDescriptor("mix0", ["127.0.0.1:1"], NodeRole.Mix, 0);
        _store.WriteDescriptor(descriptor);
        File.WriteAllText(Path.Combine(_store.Directory, $".{NodeKeyStore.DescriptorFile}.0a1b2c3d4e5f.tmp"), "{\"name\":");

        StartAndStop(Epoch);

        Assert.Equal(descriptor.Name, _store.TryReadDescriptor()?.Name);
    }

    [Fact]
    public void A_prune_interrupted_between_marker_and_key_still_starts_and_finishes_the_prune()
    {
        StartAndStop(Epoch - 2);
        File.Delete(_store.ReplayMarkerPath(Epoch - 2));

        StartAndStop(Epoch);

        Assert.DoesNotContain(Epoch - 2, _store.MixKeyEpochs());
        StartAndStop(Epoch + 1);
        Assert.False(File.Exists(ReplayFilter.PathFor(StateDirectory, Epoch - 2)));
    }

    /// <summary>What the host does at start for <paramref name="epoch"/>: ring, one rotation step, filters of the ring's keys.</summary>
    private void StartAndStop(long epoch)
    {
        if (_clock.Current < epoch)
        {
            _time.SetUtcNow(_clock.StartOf(epoch) + TimeSpan.FromMinutes(3));
        }

        using var ring = new MixKeyRing(_store, _clock, generateMissing: true, retireGrace: TimeSpan.Zero);
        using var rotation = new MixKeyRotationService(ring, _store, _clock, NullLogger<MixKeyRotationService>.Instance);
        rotation.RotateNow();
        using var filters = new ReplayFilterSet(StateDirectory, _store, new ReplayFilterOptions { Capacity = 1_000, FlushInterval = Timeout.InfiniteTimeSpan }, _time);
        foreach (MixKey key in ring.TryOrder)
        {
            filters.Prepare(key.Epoch);
        }
    }

    private string LeftoverKeyTemp(long epoch, KeyWriteStage stage)
    {
        string complete = _dir.Combine("complete.key");
        using (X25519PrivateKey key = X25519PrivateKey.Generate())
        {
            KeyFile.WriteX25519(complete, key);
        }

        byte[] content = File.ReadAllBytes(complete);
        File.Delete(complete);
        byte[] written = stage switch
        {
            KeyWriteStage.TempCreated => [],
            KeyWriteStage.TempHalfWritten => content[..(content.Length / 2)],
            _ => content,
        };

        // The name KeyFile.WriteAtomically gives its temporary file.
        string temp = Path.Combine(MixDirectory, $".{epoch}.key.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        File.WriteAllBytes(temp, written);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return temp;
    }
}
