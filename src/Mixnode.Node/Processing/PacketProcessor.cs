using System.Diagnostics;
using Mixnode.Node.Delivery;
using Mixnode.Node.Keys;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Node.Processing;

/// <summary>
/// What a crypto worker does with one packet: unwrap it once (current epoch's mix key, then the previous,
/// then the next: the MAC tells which key the sender used, and a failed try leaves the buffer untouched),
/// refuse a replay (only after the MAC verified, so garbage cannot fill the filter), then hand it to the
/// delay queue for its next hop or to the delivery sink. Every outcome but forwarding returns the buffer.
/// </summary>
internal sealed class PacketProcessor
{
    private readonly SphinxGeometry _geometry;
    private readonly MixKeyRing _keys;
    private readonly IReplayGuard _replay;
    private readonly DelayQueue _delays;
    private readonly IDeliverySink _sink;
    private readonly NodeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly uint _maxDelayMs;
    private readonly EchoService? _echo;

    public PacketProcessor(SphinxGeometry geometry, MixKeyRing keys, IReplayGuard replay, DelayQueue delays, IDeliverySink sink, NodeMetrics metrics, TimeProvider time, TimeSpan maxDelay, EchoService? echo = null)
    {
        _echo = echo;
        _geometry = geometry;
        _keys = keys;
        _replay = replay;
        _delays = delays;
        _sink = sink;
        _metrics = metrics;
        _time = time;
        _maxDelayMs = (uint)Math.Min(uint.MaxValue, maxDelay.TotalMilliseconds);
    }

    public void Process(in IngressPacket ingress)
    {
        byte[] buffer = ingress.Buffer;
        DropReason? drop = Handle(ingress);
        if (drop is { } reason)
        {
            if (reason is DropReason.Mac or DropReason.Malformed && ingress.ClientOrigin is { } client)
            {
                // A mix forwards what it is given; a client, though, made this packet itself.
                client.Close(LinkCloseReason.MalformedPacket);
            }

            _metrics.PacketDropped(reason);
            PacketBuffers.Return(buffer);
        }
    }

    /// <summary>Null when the packet went on (the buffer now belongs to the delay queue or was delivered and returned).</summary>
    private DropReason? Handle(in IngressPacket ingress)
    {
        if (ingress.Length != _geometry.PacketLength)
        {
            return DropReason.Malformed;
        }

        Span<byte> packet = ingress.Buffer.AsSpan(0, ingress.Length);
        long started = _metrics.UnwrapTimingEnabled ? Stopwatch.GetTimestamp() : 0;
        UnwrapResult result = UnwrapResult.MacMismatch;
        UnwrappedPacket unwrapped = default;
        long epoch = 0;
        foreach (MixKey key in _keys.TryOrder)
        {
            result = SphinxUnwrapper.Unwrap(_geometry, key.PrivateKey, packet, out unwrapped);
            if (result != UnwrapResult.MacMismatch)
            {
                epoch = key.Epoch;
                break;
            }
        }

        if (started != 0)
        {
            _metrics.UnwrapTimed(started);
        }

        if (result != UnwrapResult.Success)
        {
            return result == UnwrapResult.MacMismatch ? DropReason.Mac : DropReason.Malformed;
        }

        if (!_replay.TryAccept(epoch, unwrapped.ReplayTag))
        {
            return DropReason.Replay;
        }

        switch (unwrapped.Kind)
        {
            case UnwrappedKind.Forward:
                uint delayMs = unwrapped.Commands.NodeDelayMs;
                if (delayMs > _maxDelayMs)
                {
                    return DropReason.Delay;
                }

                long due = ingress.ReceivedTimestamp + (long)(delayMs * (_time.TimestampFrequency / 1000.0));
                var scheduled = new ScheduledPacket(ingress.Buffer, unwrapped.Commands.NextNodeId, ingress.ReceivedTimestamp, due);
                return _delays.TryEnqueue(scheduled) ? null : DropReason.Overload;

            default:
                RoutingCommands commands = unwrapped.Commands;
                if (_echo is not null && unwrapped.Kind == UnwrappedKind.Deliver && commands.RecipientId == EchoService.RecipientId)
                {
                    bool replied = _echo.TryReply(unwrapped.Payload(packet));
                    PacketBuffers.Return(ingress.Buffer);
                    if (!replied)
                    {
                        _metrics.PacketDropped(DropReason.Malformed);
                    }

                    return null;
                }

                var message = new DeliveredMessage(commands.RecipientId, unwrapped.Kind == UnwrappedKind.SurbReply, commands.SurbId, unwrapped.Payload(packet));
                if (!_sink.Deliver(message))
                {
                    return DropReason.Overload;
                }

                _metrics.PacketDelivered();
                PacketBuffers.Return(ingress.Buffer);
                return null;
        }
    }
}
