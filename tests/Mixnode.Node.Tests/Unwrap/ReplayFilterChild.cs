using System.Globalization;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>
/// The child process of the kill -9 test: opens a filter with no background flush, adds tags, reports how many
/// it accepted, and then waits to be killed without ever flushing or disposing.
/// </summary>
internal static class ReplayFilterChild
{
    public const string Verb = "replay-filter-child";

    public static int Run(string[] args)
    {
        string path = args[0];
        int count = int.Parse(args[1], CultureInfo.InvariantCulture);
        int seed = int.Parse(args[2], CultureInfo.InvariantCulture);
        ReplayFilter filter = ReplayFilter.Open(path, Options());
        int accepted = 0;
        foreach (Bytes32 tag in Tags(count, seed))
        {
            if (filter.TryAdd(tag))
            {
                accepted++;
            }
        }

        Console.Out.WriteLine(accepted.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(filter);
        return 0;
    }

    public static ReplayFilterOptions Options() =>
        new() { Capacity = 100_000, FalsePositiveRate = 1e-9, FlushInterval = Timeout.InfiniteTimeSpan };

    public static Bytes32[] Tags(int count, int seed)
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
