using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Mixnode.Cli.Run;
using Mixnode.Node.Delivery;
using Mixnode.Node.Telemetry;

namespace Mixnode.IntegrationTests;

/// <summary>A node running in the test process through the same host wiring as <c>mixnode run</c>, with a recording delivery sink.</summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly MetricCollector<long> _dropped;

    private InProcessNode(IHost host, CountingDeliverySink sink, ConcurrentQueue<byte[]> delivered)
    {
        _host = host;
        Sink = sink;
        Delivered = delivered;
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        _dropped = new MetricCollector<long>(meters, NodeMetrics.MeterName, "mixnode.packets.dropped");
        LinksClosed = new MetricCollector<long>(meters, NodeMetrics.MeterName, "mixnode.links.closed");
        LinksOpened = new MetricCollector<long>(meters, NodeMetrics.MeterName, "mixnode.links.opened");
        LoopsSent = new MetricCollector<long>(meters, NodeMetrics.MeterName, "mixnode.cover.loops.sent");
        Received = new MetricCollector<long>(meters, NodeMetrics.MeterName, "mixnode.packets.received");
        LoopsReturned = new MetricCollector<long>(meters, NodeMetrics.MeterName, "mixnode.cover.loops.returned");
    }

    public MetricCollector<long> LinksOpened { get; }

    public MetricCollector<long> LoopsSent { get; }

    public MetricCollector<long> Received { get; }

    public MetricCollector<long> LoopsReturned { get; }

    /// <summary>The sum of everything a counter recorded so far.</summary>
    public static long Total(MetricCollector<long> counter) => counter.GetMeasurementSnapshot().Sum(m => m.Value);

    public CountingDeliverySink Sink { get; }

    /// <summary>The management endpoint's base address (http://127.0.0.1:PORT), when the node runs one.</summary>
    public Uri? Management => _host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).FirstOrDefault();

    /// <summary>Stops the node as SIGTERM would (drain included); metrics stay readable until disposal.</summary>
    public Task StopAsync() => _host.StopAsync();

    /// <summary>Every delivered payload, in arrival order.</summary>
    public ConcurrentQueue<byte[]> Delivered { get; }

    public MetricCollector<long> LinksClosed { get; }

    public static async Task<InProcessNode> StartAsync(LocalNetwork network, string name, params string[] extra)
    {
        var delivered = new ConcurrentQueue<byte[]>();
        var sink = new CountingDeliverySink { Delivered = (in DeliveredMessage m) => delivered.Enqueue(m.Payload.ToArray()) };
        // With the mailbox sink asked for, the node keeps its own (clients fetch from it); otherwise the test records deliveries.
        bool mailbox = extra.Contains("Mixnode:Delivery:Sink=mailbox");
        IHost host = RunCommand.Build(null, network.Settings(name, extra), services =>
        {
            if (!mailbox)
            {
                services.AddSingleton<IDeliverySink>(sink);
            }
        });
        var node = new InProcessNode(host, sink, delivered);
        await host.StartAsync();
        return node;
    }

    /// <summary>Drops counted with <paramref name="reason"/> so far.</summary>
    public long Dropped(string reason) =>
        _dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["reason"], reason)).Sum(m => m.Value);

    public long Closed(string reason) =>
        LinksClosed.GetMeasurementSnapshot().Where(m => Equals(m.Tags["reason"], reason)).Sum(m => m.Value);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _dropped.Dispose();
        LinksClosed.Dispose();
        LinksOpened.Dispose();
        LoopsSent.Dispose();
        Received.Dispose();
        LoopsReturned.Dispose();
    }
}
