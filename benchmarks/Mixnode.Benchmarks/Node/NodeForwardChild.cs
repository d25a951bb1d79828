using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Mixnode.Cli.Run;
using Mixnode.Node.Telemetry;

namespace Mixnode.Benchmarks.Node;

/// <summary>
/// The node under test, alone in its own process so that its heap allocations and CPU time can be read
/// without the feeder's and the sink's: <c>node-forward-child SETTING…</c> starts a node through
/// <see cref="RunCommand.Build"/> (the same wiring as <c>mixnode run</c>) and then answers commands on stdin,
/// one line each: <c>stats</c> → one <c>@@stats {json}</c> line (<see cref="NodeStats"/>), <c>quit</c> → stops.
/// The node's own counters are read with a <see cref="MeterListener"/> on the <c>Mixnode</c> meter (as an
/// exporter would), counters only: the unwrap-duration histogram stays off, as in a node without one.
/// </summary>
internal static class NodeForwardChild
{
    public const string Prefix = "@@";

    public const string AllocTraceVariable = "MIXNODE_BENCH_ALLOC_TRACE";

    public static async Task<int> RunAsync(string[] settings)
    {
        var received = new Counter();
        var forwarded = new Counter();
        var dropped = new ConcurrentDictionary<string, Counter>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NodeMetrics.MeterName && instrument.Name is "mixnode.packets.received" or "mixnode.packets.forwarded" or "mixnode.packets.dropped")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            switch (instrument.Name)
            {
                case "mixnode.packets.received":
                    received.Add(value);
                    break;
                case "mixnode.packets.forwarded":
                    forwarded.Add(value);
                    break;
                default:
                    string reason = "?";
                    foreach (KeyValuePair<string, object?> tag in tags)
                    {
                        if (tag.Key == "reason")
                        {
                            reason = tag.Value as string ?? "?";
                        }
                    }

                    dropped.GetOrAdd(reason, _ => new Counter()).Add(value);
                    break;
            }
        });
        listener.Start();

        using AllocationSampler? sampler = Environment.GetEnvironmentVariable(AllocTraceVariable) == "1" ? new AllocationSampler() : null;
        using IHost host = RunCommand.Build(null, settings);
        await host.StartAsync().ConfigureAwait(false);
        // Serialize once now: building the serializer's metadata allocates a few hundred KB, which would
        // otherwise land in the steady phase (its first snapshot is taken just before the first answer).
        _ = JsonSerializer.Serialize(new NodeStats(0, 0, 0, 0, new Dictionary<string, long> { ["x"] = 0 }, 0, 0, 0));
        Console.Out.WriteLine(Prefix + "ready");
        Console.Out.Flush();

        using var process = Process.GetCurrentProcess();
        int statsAnswered = 0;
        while (Console.In.ReadLine() is { } line)
        {
            if (line == "stats")
            {
                if (statsAnswered++ == 0)
                {
                    // The first snapshot starts the steady phase: trace only what is allocated from here on.
                    sampler?.Reset();
                }

                process.Refresh();
                var stats = new NodeStats(
                    GC.GetTotalAllocatedBytes(precise: true),
                    process.TotalProcessorTime.TotalMilliseconds,
                    received.Value,
                    forwarded.Value,
                    dropped.ToDictionary(d => d.Key, d => d.Value.Value),
                    GC.CollectionCount(0),
                    GC.CollectionCount(1),
                    GC.CollectionCount(2));
                Console.Out.WriteLine(Prefix + "stats " + JsonSerializer.Serialize(stats));
                Console.Out.Flush();
            }
            else if (line == "quit")
            {
                break;
            }
        }

        await host.StopAsync().ConfigureAwait(false);
        // Sampled: an AllocationTick event each time ~100 KB were allocated, charged to the type that crossed the mark.
        foreach (KeyValuePair<string, long> type in sampler?.Top(15) ?? [])
        {
            Console.Out.WriteLine($"alloc-trace {type.Value,14:N0} B  {type.Key}");
        }

        return 0;
    }

    private sealed class Counter
    {
        private long _value;

        public long Value => Volatile.Read(ref _value);

        public void Add(long value) => Interlocked.Add(ref _value, value);
    }
}

/// <summary>A snapshot of the node process: everything cumulative since it started.</summary>
internal sealed record NodeStats(long AllocatedBytes, double CpuMilliseconds, long Received, long Forwarded, Dictionary<string, long> Dropped, int Gen0, int Gen1, int Gen2);
