using System.Collections.Concurrent;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Sphinx;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// One replay filter per mix key, opened when the key is first used (or reopened from its file after a
/// restart, which is what makes the filter crash-safe) and discarded, file and all, when the key retires.
/// </summary>
internal sealed class ReplayFilterSet : IReplayGuard, IDisposable
{
    private readonly ConcurrentDictionary<long, ReplayFilter> _filters = new();
    private readonly Lock _openLock = new();
    private readonly string _directory;
    private readonly ReplayFilterOptions _options;
    private readonly TimeProvider _time;
    private bool _disposed;

    public ReplayFilterSet(string stateDirectory, ReplayFilterOptions options, TimeProvider time)
    {
        _directory = stateDirectory;
        _options = options;
        _time = time;
        Directory.CreateDirectory(stateDirectory);
    }

    public bool TryAccept(long epoch, in Bytes32 tag)
    {
        if (!_filters.TryGetValue(epoch, out ReplayFilter? filter))
        {
            filter = Open(epoch);
            if (filter is null)
            {
                // Shutting down: refusing is the safe answer.
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

    /// <summary>Opens (or reopens) the filter of an epoch ahead of its first packet.</summary>
    public void Prepare(long epoch) => Open(epoch);

    /// <summary>The key of <paramref name="epoch"/> is gone: its filter goes too.</summary>
    public void Discard(long epoch)
    {
        lock (_openLock)
        {
            if (_filters.TryRemove(epoch, out ReplayFilter? filter))
            {
                filter.Discard();
            }
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

            var filter = ReplayFilter.Open(ReplayFilter.PathFor(_directory, (ulong)epoch), _options, _time);
            _filters[epoch] = filter;
            return filter;
        }
    }
}
