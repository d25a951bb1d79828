using Xunit.Abstractions;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>The replay filter: exactly-once acceptance, persistence, crash survival, rates and bounds.</summary>
public sealed class ReplayFilterTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mixnode-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void New_tags_are_accepted_and_repeats_refused()
    {
        using ReplayFilter filter = Open(Options(10_000));
        Bytes32[] tags = Tags(5_000, seed: 1);
        Assert.All(tags, t => Assert.True(filter.TryAdd(t)));
        Assert.All(tags, t => Assert.False(filter.TryAdd(t)));
        Assert.All(tags, t => Assert.True(filter.MightContain(t)));
        Assert.Equal(5_000, filter.Count);
        Assert.False(filter.IsOverCapacity);
    }

    [Fact]
    public void Threads_racing_on_the_same_tags_accept_each_exactly_once()
    {
        using ReplayFilter filter = Open(Options(200_000, 1e-9));
        Bytes32[] tags = Tags(50_000, seed: 2);
        int[] accepted = new int[tags.Length];
        int threads = Math.Max(4, Environment.ProcessorCount * 2);
        using var start = new Barrier(threads);
        // Threads of their own, not Parallel.For: pool threads blocked on the barrier starved the pool (and the tests
        // running beside this one) until it injected more.
        Thread[] racers = [.. Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            // Each thread walks the tags from a different offset and direction, so races happen all along.
            start.SignalAndWait();
            for (int i = 0; i < tags.Length; i++)
            {
                int index = t % 2 == 0 ? (i + (t * 997)) % tags.Length : tags.Length - 1 - ((i + (t * 991)) % tags.Length);
                if (filter.TryAdd(tags[index]))
                {
                    Interlocked.Increment(ref accepted[index]);
                }
            }
        }))];
        Array.ForEach(racers, r => r.Start());
        Array.ForEach(racers, r => r.Join());

        Assert.All(accepted, a => Assert.Equal(1, a));
        Assert.Equal(tags.Length, filter.Count);
    }

    [Fact]
    public void Reopening_after_dispose_keeps_every_tag_and_the_count()
    {
        string path = PathOf(7);
        Bytes32[] tags = Tags(3_000, seed: 3);
        using (ReplayFilter filter = ReplayFilter.Open(path, Options(10_000)))
        {
            Assert.All(tags, t => Assert.True(filter.TryAdd(t)));
        }

        using ReplayFilter reopened = ReplayFilter.Open(path, Options(10_000));
        Assert.Equal(3_000, reopened.Count);
        Assert.All(tags, t => Assert.False(reopened.TryAdd(t)));
        Assert.True(reopened.TryAdd(Tags(1, seed: 4)[0]));
    }

    /// <summary>
    /// Models kill -9: the first filter is neither flushed nor disposed (its timer never fires: the interval
    /// is infinite), and a second, independent mapping of the file must see every accepted tag. A killed
    /// process's stores to a MAP_SHARED mapping are already in the kernel's page cache for that file; the
    /// restarted process maps the same pages, exactly as this second mapping does. Only the count (written
    /// at flushes) is lost, which is why it is documented as approximate.
    /// </summary>
    [Fact]
    public void Tags_survive_a_crash_without_flush_or_dispose()
    {
        string path = PathOf(8);
        Bytes32[] tags = Tags(4_000, seed: 5);
        ReplayFilter crashed = ReplayFilter.Open(path, Options(10_000));
        try
        {
            Assert.All(tags, t => Assert.True(crashed.TryAdd(t)));

            using ReplayFilter restarted = ReplayFilter.Open(path, Options(10_000));
            Assert.All(tags, t => Assert.True(restarted.MightContain(t)));
            Assert.All(tags, t => Assert.False(restarted.TryAdd(t)));
            Assert.Equal(0, restarted.Count);
        }
        finally
        {
            crashed.Dispose();
        }
    }

    [Fact]
    public void The_measured_false_positive_rate_is_within_twice_the_computed_one()
    {
        foreach (double target in new[] { 1e-3, 1e-4 })
        {
            var options = Options(100_000, target);
            using ReplayFilter filter = Open(options, epoch: (ulong)(target * 1e6));
            foreach (Bytes32 tag in Tags(100_000, seed: 6))
            {
                filter.TryAdd(tag);
            }

            double computed = filter.Layout.FalsePositiveRateAtCapacity;
            Assert.True(computed <= target, $"computed {computed} above target {target}");
            const int queries = 1_000_000;
            int positives = Tags(queries, seed: 7).Count(t => filter.MightContain(t));
            double measured = (double)positives / queries;
            output.WriteLine($"target {target}: k={filter.Layout.BitsPerBlock}, {filter.Layout.BitsPerEntry:F2} bits/entry, computed {computed:E3}, measured {measured:E3} ({positives} of {queries})");
            Assert.InRange(measured / computed, 0.5, 2.0);
        }
    }

    [Fact]
    public void Over_capacity_the_rate_rises_but_no_added_tag_is_ever_accepted_again()
    {
        using ReplayFilter filter = Open(Options(2_000, 1e-4));
        Bytes32[] tags = Tags(10_000, seed: 8);
        int accepted = tags.Count(t => filter.TryAdd(t));
        Assert.True(filter.IsOverCapacity);
        Assert.Equal(accepted, filter.Count);
        Assert.True(filter.EstimatedFalsePositiveRate > filter.Layout.FalsePositiveRateAtCapacity * 100);
        Assert.All(tags, t => Assert.False(filter.TryAdd(t)));
    }

    [Fact]
    public void The_file_is_exactly_header_plus_bit_array_and_never_grows()
    {
        var options = Options(50_000);
        string path = PathOf(9);
        using ReplayFilter filter = ReplayFilter.Open(path, options);
        long expected = ReplayFilterHeader.Length + filter.Layout.BitArrayBytes;
        Assert.Equal(expected, new FileInfo(path).Length);
        Assert.Equal(0, filter.Layout.BitArrayBytes % ReplayFilterLayout.BlockBytes);
        foreach (Bytes32 tag in Tags(150_000, seed: 9))
        {
            filter.TryAdd(tag);
        }

        filter.Flush();
        Assert.Equal(expected, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_file_made_with_other_parameters_is_refused_naming_the_file()
    {
        string path = PathOf(10);
        ReplayFilter.Open(path, Options(1_000)).Dispose();
        var error = Assert.Throws<ReplayFilterFileException>(() => ReplayFilter.Open(path, Options(2_000)));
        Assert.Equal(ReplayFilterFileError.ParameterMismatch, error.Error);
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("capacity 1000", error.Message, StringComparison.Ordinal);
        Assert.Contains("capacity 2000", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ReplayFilterFileException>(() => ReplayFilter.Open(path, Options(1_000, 1e-5)));
        Assert.Equal(ReplayFilterFileError.ParameterMismatch, error.Error);
    }

    [Theory]
    [InlineData(0, (int)ReplayFilterFileError.NotAReplayFilter)]
    [InlineData(8, (int)ReplayFilterFileError.UnsupportedVersion)]
    [InlineData(60, (int)ReplayFilterFileError.CorruptHeader)]
    [InlineData(40, (int)ReplayFilterFileError.CorruptHeader)]
    public void A_damaged_header_is_refused_with_its_reason(int offset, int reason)
    {
        string path = PathOf(11);
        ReplayFilter.Open(path, Options(1_000)).Dispose();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ReplayFilterFileException>(() => ReplayFilter.Open(path, Options(1_000)));
        Assert.Equal((ReplayFilterFileError)reason, error.Error);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_the_wrong_length_is_refused()
    {
        string path = PathOf(12);
        ReplayFilter.Open(path, Options(1_000)).Dispose();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(stream.Length - 64);
        }

        Assert.Equal(ReplayFilterFileError.WrongFileSize, Assert.Throws<ReplayFilterFileException>(() => ReplayFilter.Open(path, Options(1_000))).Error);
        File.WriteAllBytes(path, new byte[100]);
        Assert.Equal(ReplayFilterFileError.Truncated, Assert.Throws<ReplayFilterFileException>(() => ReplayFilter.Open(path, Options(1_000))).Error);
    }

    [Fact]
    public void Discard_closes_and_deletes_and_a_closed_filter_refuses_everything()
    {
        string path = PathOf(13);
        ReplayFilter filter = ReplayFilter.Open(path, Options(1_000));
        Bytes32 tag = Tags(1, seed: 10)[0];
        filter.Discard();
        Assert.False(File.Exists(path));
        Assert.False(filter.TryAdd(tag));
        Assert.Throws<ObjectDisposedException>(filter.Flush);
        filter.Dispose();
    }

    [Fact]
    public async Task Disposing_while_workers_add_is_safe_and_they_then_see_refusals()
    {
        ReplayFilter filter = Open(Options(1_000_000));
        using var stop = new CancellationTokenSource();
        long refusedAfterClose = 0;
        // Threads of their own: four spinning pool threads on a 2-core machine starved the pool, so this test's own
        // awaits took seconds and tests running beside it (socket handshakes in LinkSessionTests) timed out.
        Task[] workers = Enumerable.Range(0, 4).Select(w => Task.Factory.StartNew(() =>
        {
            Span<byte> raw = stackalloc byte[32];
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(raw, i);
                BinaryPrimitives.WriteInt32LittleEndian(raw[8..], w);
                if (!filter.TryAdd(Bytes32.From(raw)))
                {
                    Interlocked.Increment(ref refusedAfterClose);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        await Task.Delay(50);
        filter.Dispose();
        await Task.Delay(20);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(Interlocked.Read(ref refusedAfterClose) > 0);
    }

    [Fact]
    public void The_background_flush_writes_the_count_into_the_header()
    {
        var time = new FakeTimeProvider();
        string path = PathOf(14);
        var options = new ReplayFilterOptions { Capacity = 1_000, FalsePositiveRate = 1e-6, FlushInterval = TimeSpan.FromMilliseconds(500) };
        using ReplayFilter filter = ReplayFilter.Open(path, options, time);
        foreach (Bytes32 tag in Tags(123, seed: 11))
        {
            filter.TryAdd(tag);
        }

        Assert.Equal(0, HeaderCount(path));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(123, HeaderCount(path));
        Assert.Equal(0, filter.FlushFailures);
    }

    [Fact]
    public void Paths_are_per_epoch_in_the_state_directory() =>
        Assert.Equal(Path.Combine("/var/lib/mixnode", "replay-42.bin"), ReplayFilter.PathFor("/var/lib/mixnode", 42));

    private static long HeaderCount(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        byte[] header = new byte[ReplayFilterHeader.Length];
        stream.ReadExactly(header);
        return BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(ReplayFilterHeader.CountOffset));
    }

    private static ReplayFilterOptions Options(long capacity, double rate = 1e-6) =>
        new() { Capacity = capacity, FalsePositiveRate = rate, FlushInterval = Timeout.InfiniteTimeSpan };

    private ReplayFilter Open(ReplayFilterOptions options, ulong epoch = 1) => ReplayFilter.Open(PathOf(epoch), options);

    private string PathOf(ulong epoch) => ReplayFilter.PathFor(_dir, epoch);

    /// <summary>Deterministic, uniformly random tags, like SHA-512/256 outputs.</summary>
    private static Bytes32[] Tags(int count, int seed)
    {
        var random = new Random(seed);
        var tags = new Bytes32[count];
        Span<byte> raw = stackalloc byte[32];
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(raw);
            tags[i] = Bytes32.From(raw);
        }

        return tags;
    }
}
