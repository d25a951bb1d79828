using Microsoft.Extensions.Logging;
using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Processing;

/// <summary>
/// N workers (default one per core) draining the ingress queue. Unwrapping is CPU-bound and independent
/// per packet, so workers share nothing but the queue, the key ring and the replay filters.
/// </summary>
internal sealed class CryptoWorkerPool
{
    private readonly IngressQueue _queue;
    private readonly PacketProcessor _processor;
    private readonly ILogger _logger;
    private readonly NodeMetrics _metrics;
    private Task[] _workers = [];

    public CryptoWorkerPool(IngressQueue queue, PacketProcessor processor, NodeMetrics metrics, ILogger logger)
    {
        _queue = queue;
        _processor = processor;
        _metrics = metrics;
        _logger = logger;
    }

    public int Count => _workers.Length;

    public void Start(int count)
    {
        _workers = [.. Enumerable.Range(0, count).Select(_ => Task.Run(RunAsync))];
    }

    /// <summary>Stops taking packets; what is still queued is processed first.</summary>
    public Task StopAsync()
    {
        _queue.Complete();
        return Task.WhenAll(_workers);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out IngressPacket packet))
            {
                try
                {
                    _processor.Process(packet);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug must cost one packet, never the worker: the node keeps serving everyone else.
                    _metrics.PacketDropped(DropReason.Malformed);
                    NodeLog.WorkerFailed(_logger, e);
                }
            }
        }
    }
}
