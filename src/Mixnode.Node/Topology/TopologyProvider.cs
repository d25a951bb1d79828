using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixnode.Sphinx;
using Mixnode.Links.Wire;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Node.Topology;

/// <summary>
/// Holds the node's current <see cref="NetworkTopology"/>. <see cref="Start"/> loads the signed file and refuses to
/// start on a bad signature, a foreign authority or a geometry unlike the node's own. Afterwards the file is watched
/// (FileSystemWatcher, debounced, with a periodic poll as fallback for file systems where watching fails); a valid new
/// file replaces <see cref="Current"/> atomically and raises <see cref="Changed"/>, an invalid one is logged and
/// ignored, so a bad upload never takes a running node down.
/// </summary>
internal sealed class TopologyProvider : ITopologySource, IHostedService, IDisposable
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(500);

    private readonly Bytes32 _authority;
    private readonly SphinxGeometry _geometry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _debounce;
    private readonly Lock _lock = new();
    private NetworkTopology? _current;

    // SHA-256 of the last file examined, valid or not: unchanged files are not re-verified or re-logged on every poll.
    private byte[]? _lastSeen;
    private FileSystemWatcher? _watcher;
    private ITimer? _pollTimer;
    private ITimer? _debounceTimer;
    private bool _disposed;

    public TopologyProvider(
        string path,
        Bytes32 authorityKey,
        SphinxGeometry geometry,
        TimeProvider time,
        ILogger<TopologyProvider> logger,
        TimeSpan? pollInterval = null,
        TimeSpan? debounce = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        Path = System.IO.Path.GetFullPath(path);
        _authority = authorityKey;
        _geometry = geometry;
        _time = time;
        _logger = logger;
        _pollInterval = pollInterval ?? DefaultPollInterval;
        _debounce = debounce ?? DefaultDebounce;
    }

    /// <summary>Raised after <see cref="Current"/> changed (not for the initial load), on a timer thread.</summary>
    public event Action<NetworkTopology>? Changed;

    public string Path { get; }

    public bool FollowsAuthorities => false;

    public string Description => Path;

    /// <summary>The topology in force; read it once per decision, it may be replaced at any time.</summary>
    public NetworkTopology Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("the topology provider has not been started");

    /// <summary>Loads the document (throwing <see cref="TopologyException"/> if it is unusable) and starts watching it.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is not null)
            {
                return;
            }

            (NetworkTopology topology, byte[] hash) = Load();
            _lastSeen = hash;
            Volatile.Write(ref _current, topology);
            LogLoaded(topology);
            _debounceTimer = _time.CreateTimer(_ => ReloadFromTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _pollTimer = _time.CreateTimer(_ => ReloadFromTimer(), null, _pollInterval, _pollInterval);
            StartWatcher();
        }
    }

    /// <summary>
    /// Checks the file now. Returns true if a new valid document replaced the current one; false if the file is
    /// unchanged or was rejected (the reason is logged).
    /// </summary>
    public bool Reload()
    {
        NetworkTopology topology;
        lock (_lock)
        {
            if (_disposed || _current is null)
            {
                return false;
            }

            byte[] file;
            try
            {
                file = File.ReadAllBytes(Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Mid-replace or briefly missing: the next event or poll will see the final file.
                TopologyLog.Rejected(_logger, $"cannot read the file: {e.GetType().Name}");
                return false;
            }

            byte[] hash = SHA256.HashData(file);
            if (_lastSeen is not null && hash.AsSpan().SequenceEqual(_lastSeen))
            {
                return false;
            }

            _lastSeen = hash;
            try
            {
                topology = Verify(file);
            }
            catch (TopologyException e)
            {
                TopologyLog.Rejected(_logger, e.Message);
                return false;
            }

            Volatile.Write(ref _current, topology);
            LogLoaded(topology);
        }

        try
        {
            Changed?.Invoke(topology);
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the watcher's timer thread.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TopologyLog.HandlerFailed(_logger, e);
        }

        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
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
            _disposed = true;
            _watcher?.Dispose();
            _watcher = null;
            _pollTimer?.Dispose();
            _pollTimer = null;
            _debounceTimer?.Dispose();
            _debounceTimer = null;
        }
    }

    private (NetworkTopology Topology, byte[] Hash) Load()
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyException($"cannot read the network document {Path}: {e.Message}", e);
        }

        return (Verify(file), SHA256.HashData(file));
    }

    private NetworkTopology Verify(byte[] file)
    {
        NetworkDocument document = SignedNetworkDocument.Verify(file, _authority);
        if (document.Geometry != _geometry)
        {
            throw new TopologyException(
                $"the document's geometry ({document.Geometry.NrHops} hops, {document.Geometry.PacketLength}-byte packets) " +
                $"differs from this node's ({_geometry.NrHops} hops, {_geometry.PacketLength}-byte packets)");
        }

        return new NetworkTopology(document, _authority);
    }

    private void ReloadFromTimer()
    {
        try
        {
            Reload();
        }
#pragma warning disable CA1031 // An exception escaping a timer callback would end the process; the old view stays.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TopologyLog.Rejected(_logger, $"unexpected {e.GetType().Name} while reading the document");
        }
    }

    private void StartWatcher()
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        try
        {
            var watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(Path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Debounce();
            watcher.Created += (_, _) => Debounce();
            watcher.Renamed += (_, _) => Debounce();
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
            TopologyLog.Watching(_logger, Path);
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            TopologyLog.WatcherUnavailable(_logger, Path, e);
        }
    }

    // Editors and copy tools write in several steps; wait until the events stop before reading.
    private void Debounce()
    {
        lock (_lock)
        {
            _debounceTimer?.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void LogLoaded(NetworkTopology topology) =>
        TopologyLog.Loaded(_logger, topology.Providers.Length, topology.Layers.Length, topology.NodeCount, topology.EpochsCovered.ToString());
}
