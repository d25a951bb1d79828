using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixnode.Node.Keys;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Node.Topology;

/// <summary>
/// Follows the voting directory authorities (<c>Mixnode:AuthoritiesFile</c>): every epoch E it uploads this node's
/// signed descriptor for E + 1 to every authority (before <see cref="EpochSchedule.DescriptorDeadline"/>), fetches the
/// threshold-signed consensus for E + 1 once it may be published, and makes it current at the start of E + 1.
/// <list type="bullet">
/// <item>Start: the cached consensus (state directory) is used at once if it covers the current epoch, and seeds the
/// rollback guard either way; the descriptor goes up for E and E + 1; without a usable cache, start-up waits (up to
/// <see cref="AuthoritiesOptions.StartTimeout"/>) until the consensus for E verifies, so the node starts with a
/// topology.</item>
/// <item>A missed consensus: the current one stays while its validity window covers the epoch (a warning and
/// <c>mixnode.consensus.missed</c>); after that the node is not ready (no document covers the epoch) and keeps
/// asking.</item>
/// <item>Every document is checked for the threshold of signatures, the epoch asked for, no rollback (an older epoch
/// than the newest accepted, or another document for it) and this node's geometry; refusals are counted by
/// <see cref="PkiRefusal"/> tag.</item>
/// </list>
/// One background loop does all of it, on the injected <see cref="TimeProvider"/>: it wakes every
/// <see cref="AuthoritiesOptions.PollInterval"/> and exactly at each epoch boundary.
/// </summary>
internal sealed class ConsensusFollower : ITopologySource, IHostedService, IAsyncDisposable, IDisposable
{
    private readonly AuthoritySet _authorities;
    private readonly NodeKeyStore _keys;
    private readonly EpochClock _clock;
    private readonly EpochSchedule _schedule;
    private readonly SphinxGeometry _geometry;
    private readonly ConsensusCache _cache;
    private readonly AuthoritiesOptions _options;
    private readonly ConsensusMetrics _metrics;
    private readonly ILogger _logger;
    private readonly DirectoryClient _client;
    private readonly DescriptorUploader _uploader;
    private readonly DocumentGuard _guard = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<long> _uploadsStarted = [];
    private readonly List<Task> _uploads = [];
    private NetworkTopology? _current;
    private (NetworkTopology Topology, byte[] Raw)? _next;
    private Task _loop = Task.CompletedTask;
    private long? _startEpoch;
    private long _missedLogged = long.MinValue;
    private long _expiredLogged = long.MinValue;
    private long _notListedLogged = long.MinValue;
    private Bytes32 _ownId;
    private string? _lastRefusal;
    private bool _started;
    private bool _disposed;

    public ConsensusFollower(
        AuthoritySet authorities,
        NodeKeyStore keys,
        EpochClock clock,
        SphinxGeometry geometry,
        ConsensusCache cache,
        AuthoritiesOptions options,
        ConsensusMetrics metrics,
        ILogger<ConsensusFollower> logger,
        HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _authorities = authorities;
        _keys = keys;
        _clock = clock;
        _schedule = new EpochSchedule(clock);
        _geometry = geometry;
        _cache = cache;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _client = new DirectoryClient(authorities, options.RequestTimeout, handler);
        _uploader = new DescriptorUploader(_client, clock.Time, metrics, logger);
        metrics.ObserveEpoch(() => Volatile.Read(ref _current)?.Document.Epoch);
    }

    /// <inheritdoc/>
    public event Action<NetworkTopology>? Changed;

    /// <inheritdoc/>
    public NetworkTopology Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("the consensus follower has no consensus yet (it has not been started)");

    /// <summary>The consensus in force, or null before the first one.</summary>
    public NetworkTopology? TryCurrent => Volatile.Read(ref _current);

    public bool FollowsAuthorities => true;

    public string Description => $"the consensus of the directory authorities ({_authorities})";

    /// <summary>The epoch of the newest document accepted (in force or next); <see cref="long.MinValue"/> before any.</summary>
    public long NewestEpoch => _guard.NewestEpoch;

    /// <summary>
    /// Loads the cache, starts the loop (uploads and fetches) and, unless the cache covers the current epoch, waits
    /// for the first consensus; throws <see cref="TopologyException"/> after <see cref="AuthoritiesOptions.StartTimeout"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started)
        {
            return;
        }

        _started = true;
        _ownId = NodeDescriptor.ComputeId(_keys.IdentityPublicKey().AsReadOnlySpan());
        if (_keys.TryReadDescriptor() is null)
        {
            throw new TopologyException($"there is no {NodeKeyStore.DescriptorFile} in the keys directory {_keys.Directory}: the node uploads it to the authorities; run mixnode keygen with --name, --role and --address");
        }

        ConsensusLog.CachePath(_logger, _cache.Directory);
        LoadCache(_clock.Current);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        if (Volatile.Read(ref _current) is not null)
        {
            return;
        }

        try
        {
            await _first.Task.WaitAsync(_options.StartTimeout, _clock.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await StopLoopAsync().ConfigureAwait(false);
            string? refusal = Volatile.Read(ref _lastRefusal);
            throw new TopologyException(
                $"no consensus from the directory authorities ({_authorities}, Mixnode:AuthoritiesFile) verified within " +
                $"Mixnode:Authorities:StartTimeout ({_options.StartTimeout}): " +
                (refusal is null
                    ? "check that they run, that the file lists them and that this node's clock is right"
                    : $"the last document offered was refused: {refusal}"));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => StopLoopAsync();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopLoopAsync().ConfigureAwait(false);
        _disposed = true;
        _client.Dispose();
        _stop.Dispose();
    }

    /// <summary>For containers disposed synchronously: the same as <see cref="DisposeAsync"/> (the loop ends within a poll).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One round of the loop (exposed for tests): bring in a due next document, upload, fetch what is missing.</summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        long epoch = _clock.Current;
        _startEpoch ??= epoch;
        PromoteNext(epoch);
        StartUploads(epoch);

        NetworkTopology? current = Volatile.Read(ref _current);
        bool haveNow = current is not null && current.Document.Epoch >= epoch;
        if (!haveNow)
        {
            // With a newer document already accepted (the next epoch's), this epoch's could only be refused as rollback.
            bool fetched = false;
            if (current is null || _guard.NewestEpoch <= epoch)
            {
                fetched = await FetchAsync(epoch, cancellationToken).ConfigureAwait(false);
                if (!fetched)
                {
                    _metrics.FetchFailed();
                }
            }

            if (!fetched)
            {
                NoteMissing(epoch, current);
            }
        }

        // The next epoch's document only once this epoch's is in: accepting E + 1 first would make the guard refuse
        // E as a rollback, leaving a node that starts late in an epoch (or at genesis, when the authorities publish E
        // and E + 1 together) without a document until E + 1 begins.
        current = Volatile.Read(ref _current);
        bool haveThisEpoch = current is not null && current.Document.Epoch >= epoch;
        DateTimeOffset now = _clock.Time.GetUtcNow();
        if (haveThisEpoch && _next is null && _guard.NewestEpoch < epoch + 1 && now >= _schedule.SignatureDeadline(epoch))
        {
            // Authorities publish by the publish deadline at the latest, often before; asking earlier is cheap.
            if (!await FetchAsync(epoch + 1, cancellationToken).ConfigureAwait(false) && now >= _schedule.PublishDeadline(epoch))
            {
                _metrics.FetchFailed();
            }
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop is the node's only way to a new consensus: log and go on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ConsensusLog.LoopFailed(_logger, e);
            }

            // Wake at the poll interval, and exactly at the boundary so the next document comes into force on time.
            TimeSpan tillNext = _clock.TillNext;
            try
            {
                await Task.Delay(tillNext < _options.PollInterval ? tillNext : _options.PollInterval, _clock.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopLoopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] uploads;
        lock (_uploads)
        {
            uploads = [.. _uploads];
        }

        await Task.WhenAll(uploads).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Asks the authorities for the document of <paramref name="epoch"/>; true when one was accepted.</summary>
    private async Task<bool> FetchAsync(long epoch, CancellationToken cancellationToken)
    {
        VerifiedDocument? verified = await _client.FetchVerifiedAsync(epoch, _guard, Refused, cancellationToken).ConfigureAwait(false);
        if (verified is null)
        {
            return false;
        }

        NetworkTopology topology;
        try
        {
            topology = ToTopology(verified.Document, verified.Raw);
        }
        catch (TopologyException e)
        {
            Refused(e.Reason, e.Message);
            return false;
        }

        LogAccepted(topology);
        if (epoch <= _clock.Current)
        {
            MakeCurrent(topology, verified.Raw);
        }
        else
        {
            _next = (topology, verified.Raw);
            TryCache(() => _cache.WriteNext(verified.Raw));
        }

        return true;
    }

    /// <summary>The checks beyond signatures and epoch: this node's geometry and epoch period.</summary>
    private NetworkTopology ToTopology(NetworkDocument document, byte[] raw)
    {
        if (document.Geometry != _geometry)
        {
            throw new TopologyException(PkiRefusal.Invalid,
                $"the consensus for epoch {document.Epoch} has another geometry ({document.Geometry.NrHops} hops, {document.Geometry.PacketLength}-byte packets) than this node ({_geometry.NrHops} hops, {_geometry.PacketLength}-byte packets)");
        }

        if (document.EpochPeriod != _clock.Period)
        {
            throw new TopologyException(PkiRefusal.Invalid,
                $"the consensus for epoch {document.Epoch} has an epoch period of {document.EpochPeriod}, this node counts {_clock.Period} (set Mixnode:EpochPeriod={document.EpochPeriod})");
        }

        (_, IReadOnlyList<Bytes32> signers) = SignedNetworkDocument.VerifyWithSigners(raw, _authorities);
        return new NetworkTopology(document, signers[0]);
    }

    private void PromoteNext(long epoch)
    {
        if (_next is { } next && next.Topology.Document.Epoch <= epoch)
        {
            _next = null;
            MakeCurrent(next.Topology, next.Raw);
            TryCache(_cache.DeleteNext);
        }
    }

    private void MakeCurrent(NetworkTopology topology, byte[] raw)
    {
        NetworkTopology? previous = Interlocked.Exchange(ref _current, topology);
        ConsensusLog.InForce(_logger, topology.Document.Epoch);
        TryCache(() => _cache.WriteCurrent(raw));
        CheckListed(topology);
        if (previous is null)
        {
            _first.TrySetResult();
            return;
        }

        try
        {
            Changed?.Invoke(topology);
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the follower.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ConsensusLog.HandlerFailed(_logger, e);
        }
    }

    private void CheckListed(NetworkTopology topology)
    {
        if (!topology.TryGetNode(_ownId, out _) && _notListedLogged != topology.Document.Epoch)
        {
            _notListedLogged = topology.Document.Epoch;
            ConsensusLog.NotListed(_logger, topology.Document.Epoch);
        }
    }

    /// <summary>No document for <paramref name="epoch"/>: keep the current one within its window, once said per epoch.</summary>
    private void NoteMissing(long epoch, NetworkTopology? current)
    {
        if (current is null)
        {
            return;
        }

        if (current.EpochsCovered.Contains(epoch))
        {
            if (_missedLogged != epoch)
            {
                _missedLogged = epoch;
                _metrics.Missed();
                ConsensusLog.Missed(_logger, epoch, current.Document.Epoch, current.EpochsCovered.Last);
            }
        }
        else if (_expiredLogged != epoch)
        {
            _expiredLogged = epoch;
            if (_missedLogged != epoch)
            {
                _missedLogged = epoch;
                _metrics.Missed();
            }

            ConsensusLog.Expired(_logger, epoch);
        }
    }

    /// <summary>
    /// The descriptor for E + 1 goes up as soon as E begins; at start also the one for E (the authorities' first
    /// consensus is for the epoch they start in). A target waits until the mix keys it lists exist (the rotation at
    /// the boundary makes them), and is given up once its deadline passed.
    /// </summary>
    private void StartUploads(long epoch)
    {
        DateTimeOffset now = _clock.Time.GetUtcNow();
        foreach (long target in epoch == _startEpoch ? new[] { epoch, epoch + 1 } : [epoch + 1])
        {
            if (_uploadsStarted.Contains(target))
            {
                continue;
            }

            // At start the authorities may be starting too (genesis: the first consensus is made within seconds,
            // whatever the epoch length), so the first uploads are retried through the whole start epoch; an
            // authority that will not take them any more says "late", which ends the retries. Later uploads go out
            // at the start of the epoch before theirs and are retried until its descriptor deadline.
            DateTimeOffset deadline = epoch == _startEpoch ? _clock.EndOf(epoch) : _schedule.DescriptorDeadline(target - 1);
            SignedDescriptor? descriptor = TrySign(target);
            if (descriptor is null)
            {
                if (now >= deadline)
                {
                    _uploadsStarted.Add(target);
                }

                continue;
            }

            _uploadsStarted.Add(target);
            _uploadsStarted.RemoveWhere(e => e < epoch - 1);
            Task upload = _uploader.UploadAsync(descriptor, deadline, _stop.Token);
            lock (_uploads)
            {
                _uploads.RemoveAll(t => t.IsCompleted);
                _uploads.Add(upload);
            }
        }
    }

    /// <summary>This node's descriptor for <paramref name="epoch"/> with its mix keys for it and the next, signed; null while a key is missing.</summary>
    private SignedDescriptor? TrySign(long epoch)
    {
        NodeDescriptor? stored = _keys.TryReadDescriptor();
        if (stored is null)
        {
            return null;
        }

        var window = new EpochRange(epoch, epoch + 1);
        NodeDescriptor descriptor = _keys.RefreshDescriptor(stored).WithMixKeys(window);
        if (!descriptor.MixKeys.ContainsKey(epoch) || !descriptor.MixKeys.ContainsKey(epoch + 1))
        {
            return null;
        }

        using Key identity = _keys.LoadIdentityKey();
        return SignedDescriptor.Create(descriptor, epoch, identity);
    }

    /// <summary>The cached documents that still verify seed the guard; the right one is used at once.</summary>
    private void LoadCache(long epoch)
    {
        var documents = new List<(NetworkTopology Topology, byte[] Raw)>();
        foreach (byte[] raw in _cache.Read())
        {
            try
            {
                NetworkDocument document = SignedNetworkDocument.Verify(raw, _authorities);
                documents.Add((ToTopology(document, raw), raw));
            }
            catch (TopologyException e)
            {
                ConsensusLog.CacheIgnored(_logger, e.Message);
            }
        }

        foreach ((NetworkTopology topology, byte[] raw) in documents.OrderBy(d => d.Topology.Document.Epoch))
        {
            try
            {
                _guard.Accept(topology.Document);
            }
            catch (TopologyException e)
            {
                ConsensusLog.CacheIgnored(_logger, e.Message);
                continue;
            }

            long documentEpoch = topology.Document.Epoch;
            if (documentEpoch <= epoch && topology.EpochsCovered.Contains(epoch))
            {
                Volatile.Write(ref _current, topology);
                ConsensusLog.CacheLoaded(_logger, documentEpoch);
                CheckListed(topology);
                _first.TrySetResult();
            }
            else if (documentEpoch > epoch)
            {
                _next = (topology, raw);
                ConsensusLog.CacheLoaded(_logger, documentEpoch);
            }
        }
    }

    private void Refused(PkiRefusal reason, string message)
    {
        Volatile.Write(ref _lastRefusal, $"{reason.ToTag()}: {message}");
        _metrics.Refused(reason);
        ConsensusLog.Refused(_logger, $"{reason.ToTag()}: {message}");
    }

    private void LogAccepted(NetworkTopology topology) =>
        ConsensusLog.Accepted(_logger, topology.Document.Epoch, topology.Providers.Length, topology.Layers.Length, topology.NodeCount, topology.EpochsCovered.ToString());

    private void TryCache(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KeyFileException)
        {
            ConsensusLog.CacheWriteFailed(_logger, e.Message);
        }
    }
}
