using System.Collections.Concurrent;
using System.Globalization;
using Mixnode.Node.Keys;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Sphinx;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// One replay filter per mix key. A filter lives exactly as long as its key can be used: it is opened when the key
/// is first used (or reopened from its file after a restart, which is what makes it crash-safe), closed when the key
/// leaves the ring, and its file is deleted only once the key file itself is gone. A key that comes back (the clock
/// stepped back an epoch, then forward again) therefore comes back with every tag it ever accepted.
/// </summary>
/// <remarks>
/// The key store's marker (<see cref="NodeKeyStore.ReplayMarkerPath"/>) records which filter file belongs to a key.
/// Only a key without a marker (brand-new, never used) gets a fresh filter; for a key with one, a missing, truncated,
/// damaged or different file is an error (<see cref="ReplayFilterFileException"/>): at start the node refuses to run,
/// and while running every packet for that key is refused (counted) rather than accepted against an empty filter.
/// </remarks>
internal sealed class ReplayFilterSet : IReplayGuard, IDisposable
{
    private readonly ConcurrentDictionary<long, ReplayFilter> _filters = new();
    private readonly ConcurrentDictionary<long, Exception> _failed = new();
    private readonly Lock _openLock = new();
    private readonly string _directory;
    private readonly NodeKeyStore _keys;
    private readonly ReplayFilterOptions _options;
    private readonly TimeProvider _time;
    private readonly Action? _flushFailed;
    private readonly Action<long, Exception>? _openFailed;
    private bool _disposed;

    /// <param name="keys">Where the keys and their filter markers are; a filter file outlives nothing but its key file.</param>
    /// <param name="flushFailed">Called after each failed background flush of any filter (a counter).</param>
    /// <param name="openFailed">Called once per epoch whose filter could not be opened while running (a log line and a counter).</param>
    public ReplayFilterSet(string stateDirectory, NodeKeyStore keys, ReplayFilterOptions options, TimeProvider time, Action? flushFailed = null, Action<long, Exception>? openFailed = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _directory = stateDirectory;
        _keys = keys;
        _options = options;
        _time = time;
        _flushFailed = flushFailed;
        _openFailed = openFailed;
        Directory.CreateDirectory(stateDirectory);
        DeleteOrphans();
    }

    public bool TryAccept(long epoch, in Bytes32 tag)
    {
        if (!_filters.TryGetValue(epoch, out ReplayFilter? filter))
        {
            filter = TryOpenWhileRunning(epoch);
            if (filter is null)
            {
                // Shutting down, or the key's replay state is lost: refusing is the safe answer.
                return false;
            }
        }

        return filter.TryAdd(tag);
    }

    /// <summary>How full the filter of <paramref name="epoch"/> is and its estimated false-positive rate; false when it is not open.</summary>
    public bool TryGetFill(long epoch, out double fill, out double falsePositiveRate)
    {
        if (_filters.TryGetValue(epoch, out ReplayFilter? filter))
        {
            fill = (double)filter.Count / filter.Capacity;
            falsePositiveRate = filter.EstimatedFalsePositiveRate;
            return true;
        }

        fill = falsePositiveRate = 0;
        return false;
    }

    /// <summary>The fill of every open filter among the previous, current and next epochs' keys (the gauges' readings).</summary>
    public IReadOnlyList<ReplayFilterReading> Readings(long currentEpoch)
    {
        var readings = new List<ReplayFilterReading>(3);
        foreach (ReplayFilterKey key in Enum.GetValues<ReplayFilterKey>())
        {
            long epoch = currentEpoch + (int)key - (int)ReplayFilterKey.Current;
            if (TryGetFill(epoch, out double fill, out double falsePositiveRate))
            {
                readings.Add(new ReplayFilterReading(key, fill, falsePositiveRate));
            }
        }

        return readings;
    }

    /// <summary>Epochs whose filter could not be opened while running (their packets are refused).</summary>
    public IReadOnlyCollection<long> FailedEpochs => [.. _failed.Keys];

    /// <summary>
    /// Opens (or reopens) the filter of an epoch ahead of its first packet; throws <see cref="ReplayFilterFileException"/>
    /// when the key had a filter that is missing, damaged or replaced (the node must not start).
    /// </summary>
    public void Prepare(long epoch) => Open(epoch);

    /// <summary>
    /// The key of <paramref name="epoch"/> left the ring: its filter is closed (memory released), and its file deleted
    /// only if the key file is gone too; a key still on disk may come back and needs every tag it accepted.
    /// </summary>
    public void Retire(long epoch)
    {
        lock (_openLock)
        {
            if (_filters.TryRemove(epoch, out ReplayFilter? filter))
            {
                // A packet racing this close is refused; the next one for this epoch (if it came back) reopens the file.
                filter.Dispose();
            }

            _failed.TryRemove(epoch, out _);
            DeleteOrphans();
        }
    }

    /// <summary>Flushes and closes every filter; the files stay for the next start.</summary>
    public void Dispose()
    {
        lock (_openLock)
        {
            _disposed = true;
            foreach (ReplayFilter filter in _filters.Values)
            {
                filter.Dispose();
            }

            _filters.Clear();
        }
    }

    private ReplayFilter? TryOpenWhileRunning(long epoch)
    {
        if (_failed.ContainsKey(epoch))
        {
            return null;
        }

        try
        {
            return Open(epoch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Pki.KeyFileException)
        {
            // Remembered, so a flood of packets for this key costs a dictionary lookup each, not a file open and a throw.
            if (_failed.TryAdd(epoch, e))
            {
                _openFailed?.Invoke(epoch, e);
            }

            return null;
        }
    }

    private ReplayFilter? Open(long epoch)
    {
        lock (_openLock)
        {
            if (_disposed)
            {
                return null;
            }

            if (_filters.TryGetValue(epoch, out ReplayFilter? existing))
            {
                return existing;
            }

            string path = ReplayFilter.PathFor(_directory, (ulong)epoch);
            byte[]? expected = _keys.TryReadReplayMarker(epoch);
            ReplayFilter filter;
            if (expected is null)
            {
                // A key never used (or whose marker write was interrupted, when the filter file is there): make or
                // reopen the file, then record it beside the key before the first packet can be accepted under it.
                filter = ReplayFilter.Open(path, _options, _time, _flushFailed);
                try
                {
                    _keys.WriteReplayMarker(epoch, filter.Identity);
                }
                catch
                {
                    filter.Dispose();
                    throw;
                }
            }
            else
            {
                filter = ReplayFilter.OpenExisting(path, _options, _time, _flushFailed);
                if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(filter.Identity, expected))
                {
                    filter.Dispose();
                    throw new ReplayFilterFileException(path, ReplayFilterFileError.Replaced,
                        $"not the filter made for the mix key of epoch {epoch} (its marker {_keys.ReplayMarkerPath(epoch)} names another): " +
                        "the packets that key processed could be replayed. Restore the original file, or retire the key");
                }
            }

            _filters[epoch] = filter;
            return filter;
        }
    }

    /// <summary>Deletes filter files (and creation leftovers) whose key file is gone and that are not open.</summary>
    private void DeleteOrphans()
    {
        foreach (string file in Directory.EnumerateFiles(_directory, "replay-*.bin*"))
        {
            string name = Path.GetFileName(file);
            int end = name.IndexOf(".bin", StringComparison.Ordinal);
            if (end <= "replay-".Length ||
                !ulong.TryParse(name.AsSpan("replay-".Length, end - "replay-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out ulong epoch) ||
                (name.Length != end + ".bin".Length && name[(end + ".bin".Length)..] != ".tmp"))
            {
                continue;
            }

            if (!_filters.ContainsKey((long)epoch) && !_keys.MixKeyExists((long)epoch))
            {
                File.Delete(file);
            }
        }
    }
}
