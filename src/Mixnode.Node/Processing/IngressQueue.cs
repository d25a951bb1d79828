using System.Threading.Channels;
using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Processing;

/// <summary>
/// The bounded hand-off from links to crypto workers. When it is full the link does not wait: the packet
/// is dropped and counted (reason overload), so a flood cannot grow memory or stall other links.
/// </summary>
internal sealed class IngressQueue
{
    private readonly Channel<IngressPacket> _channel;
    private readonly NodeMetrics _metrics;

    public IngressQueue(int capacity, NodeMetrics metrics)
    {
        _metrics = metrics;
        _channel = Channel.CreateBounded<IngressPacket>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        metrics.ObserveQueueDepth("ingress", () => _channel.Reader.Count);
    }

    public ChannelReader<IngressPacket> Reader => _channel.Reader;

    /// <summary>Called after each packet the queue accepted (the worker pool wakes a parked worker); must not block.</summary>
    public Action? PacketAvailable { get; set; }

    /// <summary>Hands a packet to the workers; on overload returns its buffer and counts the drop.</summary>
    public void Enqueue(in IngressPacket packet)
    {
        _metrics.PacketReceived();
        if (!_channel.Writer.TryWrite(packet))
        {
            _metrics.PacketDropped(DropReason.Overload);
            PacketBuffers.Return(packet.Buffer);
            return;
        }

        PacketAvailable?.Invoke();
    }

    public void Complete() => _channel.Writer.TryComplete();
}
