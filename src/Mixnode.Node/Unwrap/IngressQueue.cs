using System.Threading.Channels;
using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Unwrap;

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

    /// <summary>Called after each packet <see cref="Enqueue"/> accepted (the worker pool wakes a parked worker); must not block.</summary>
    public Action? PacketAvailable { get; set; }

    /// <summary>Called by <see cref="EndOfBurst"/> (the worker pool processes the burst on the calling thread or wakes workers).</summary>
    public Action? BurstEnded { get; set; }

    /// <summary>Hands a packet to the workers; on overload returns its buffer and counts the drop.</summary>
    public void Enqueue(in IngressPacket packet)
    {
        if (TryAdd(packet))
        {
            PacketAvailable?.Invoke();
        }
    }

    /// <summary>
    /// <see cref="Enqueue"/> without telling the workers: a link hands over every packet of one read this way, then
    /// calls <see cref="EndOfBurst"/> once (one decision per read rather than one wake-up per packet).
    /// </summary>
    public void EnqueueInBurst(in IngressPacket packet) => TryAdd(packet);

    /// <summary>After a burst of <see cref="EnqueueInBurst"/>: the workers (or this thread) take it from here.</summary>
    public void EndOfBurst()
    {
        if (_channel.Reader.Count > 0)
        {
            BurstEnded?.Invoke();
        }
    }

    public void Complete() => _channel.Writer.TryComplete();

    private bool TryAdd(in IngressPacket packet)
    {
        _metrics.PacketReceived();
        if (_channel.Writer.TryWrite(packet))
        {
            return true;
        }

        _metrics.PacketDropped(DropReason.Overload);
        PacketBuffers.Return(packet.Buffer);
        return false;
    }
}
