using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixnode.Links.Wire;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Node.Keys;

/// <summary>
/// Rotates the <see cref="MixKeyRing"/> at every epoch boundary (a <see cref="TimeProvider"/> timer re-armed for the
/// next boundary each time, so tests drive it with a fake clock): keeps mix keys generated for
/// [current, current + <see cref="EpochsAhead"/>), rotates the ring, deletes key files older than the previous epoch
/// and rewrites <c>descriptor.json</c> so the operator can hand the new public keys to the authority.
/// </summary>
internal sealed class MixKeyRotationService : IHostedService, IDisposable
{
    public const int DefaultEpochsAhead = 3;

    private readonly MixKeyRing _ring;
    private readonly NodeKeyStore _store;
    private readonly EpochClock _clock;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private ITimer? _timer;

    public MixKeyRotationService(MixKeyRing ring, NodeKeyStore store, EpochClock clock, ILogger<MixKeyRotationService> logger, int epochsAhead = DefaultEpochsAhead)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochsAhead, 2);
        _ring = ring;
        _store = store;
        _clock = clock;
        _logger = logger;
        EpochsAhead = epochsAhead;
        _ring.KeyRetired += epoch => KeysLog.Retired(_logger, epoch);
    }

    /// <summary>How many epochs, starting with the current one, have a key on disk after each rotation.</summary>
    public int EpochsAhead { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        RotateNow();
        lock (_lock)
        {
            _timer = _clock.Time.CreateTimer(_ => OnBoundary(), null, _clock.TillNext, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>One rotation step; exposed for the host's startup path and for tests.</summary>
    public void RotateNow()
    {
        long current = _clock.Current;
        IReadOnlyList<long> created = _store.GenerateMixKeys(current, EpochsAhead);
        if (created.Count > 0)
        {
            KeysLog.Generated(_logger, created.Count);
        }

        if (_ring.Rotate())
        {
            KeysLog.Rotated(_logger, _ring.CurrentEpoch, _ring.TryOrder.Length);
        }

        IReadOnlyList<long> pruned = _store.PruneMixKeys(current);
        if (pruned.Count > 0)
        {
            KeysLog.Pruned(_logger, pruned.Count);
        }

        if (created.Count > 0 || pruned.Count > 0)
        {
            if (_store.TryReadDescriptor() is { } descriptor)
            {
                _store.WriteDescriptor(_store.RefreshDescriptor(descriptor));
                KeysLog.DescriptorWritten(_logger, _store.DescriptorPath);
            }
        }
    }

    private void OnBoundary()
    {
        try
        {
            RotateNow();
        }
#pragma warning disable CA1031 // A timer callback that throws would take the process down; the next boundary retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            KeysLog.RotationFailed(_logger, e);
        }

        lock (_lock)
        {
            // Re-armed from the clock each time rather than periodic, so a slow rotation or a clock jump cannot drift.
            _timer?.Change(_clock.TillNext, Timeout.InfiniteTimeSpan);
        }
    }
}
