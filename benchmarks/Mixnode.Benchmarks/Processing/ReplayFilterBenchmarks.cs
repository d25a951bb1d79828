using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Sphinx;

namespace Mixnode.Benchmarks.Processing;

/// <summary>
/// The replay check a crypto worker makes per packet, on a filter sized for 1 M (4 MiB, cache-friendly) and
/// 54 M tags (200 MiB, memory-bound: two cache misses per tag). Fresh tags come from a counter (the keyed
/// hash makes them as good as random); the filter fills as the benchmark runs, as it would in a key epoch.
/// </summary>
[MemoryDiagnoser]
public class ReplayFilterBenchmarks
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixnode-bench-replay-" + Guid.NewGuid().ToString("N"));
    private ReplayFilter? _filter;
    private Bytes32 _fresh;
    private Bytes32 _seen;
    private ulong _counter;

    [Params(1_000_000, 54_000_000)]
    public long Capacity { get; set; }

    /// <summary>
    /// With the 500 ms msync, each flush cleans the dirty pages and the next write to each page takes a
    /// minor fault to re-dirty it; without it, the kernel's own writeback does the same, less often.
    /// </summary>
    [Params(true, false)]
    public bool BackgroundFlush { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        _filter = ReplayFilter.Open(Path.Combine(_dir, "replay-1.bin"), new ReplayFilterOptions
        {
            Capacity = Capacity,
            FlushInterval = BackgroundFlush ? TimeSpan.FromMilliseconds(500) : Timeout.InfiniteTimeSpan,
        });
        Random.Shared.NextBytes(_seen);
        _filter.TryAdd(_seen);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _filter?.Discard();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "TryAdd, fresh tag")]
    public bool TryAddFresh()
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_fresh, ++_counter);
        return _filter!.TryAdd(_fresh);
    }

    [Benchmark(Description = "TryAdd, replayed tag")]
    public bool TryAddReplay() => _filter!.TryAdd(_seen);
}
