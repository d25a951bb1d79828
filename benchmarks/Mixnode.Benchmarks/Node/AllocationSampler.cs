using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Mixnode.Benchmarks.Node;

/// <summary>
/// Diagnosis only (<c>node-forward --alloc-trace</c>): the runtime's AllocationTick events (one per ~100 KB
/// allocated, naming the type that crossed the mark) summed by type, so a per-packet allocation can be traced to
/// its source. Being an in-process listener it allocates itself; the figures of a traced run are not reported.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    /// <summary>Forgets what was sampled so far (called at the start of the steady phase).</summary>
    public void Reset() => _bytes.Clear();

    public IEnumerable<KeyValuePair<string, long>> Top(int count) => _bytes.OrderByDescending(b => b.Value).Take(count);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null)
        {
            return;
        }

        int type = eventData.PayloadNames.IndexOf("TypeName");
        int amount = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (type >= 0 && amount >= 0)
        {
            _bytes.AddOrUpdate(eventData.Payload![type] as string ?? "?", Convert.ToInt64(eventData.Payload[amount], System.Globalization.CultureInfo.InvariantCulture), (_, v) => v + Convert.ToInt64(eventData.Payload[amount], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
