using System.Threading.Channels;
using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>
/// Stands between a client's link and whoever reads its mailbox: our own loops (<see cref="LoopMarker.IsLoop"/>) are
/// counted in <see cref="CoverCounters.LoopsReturned"/> and go no further; everything else goes to the caller's
/// <see cref="ClientDeliveryHandler"/>, or to <see cref="Received"/> when there is none. Runs on the link's receive
/// loop: one HMAC over 16 bytes per message, no allocation unless a message is copied into the channel.
/// </summary>
internal sealed class LoopFilter
{
    private readonly LoopMarker _marker;
    private readonly CoverCounters _counters;
    private readonly ClientDeliveryHandler? _next;
    private readonly Channel<ClientDelivery> _received = Channel.CreateUnbounded<ClientDelivery>(new UnboundedChannelOptions { SingleWriter = true });

    public LoopFilter(LoopMarker marker, CoverCounters counters, ClientDeliveryHandler? next)
    {
        ArgumentNullException.ThrowIfNull(marker);
        ArgumentNullException.ThrowIfNull(counters);
        _marker = marker;
        _counters = counters;
        _next = next;
    }

    /// <summary>What is not a loop of ours, when no handler was given; completes with <see cref="Complete"/>.</summary>
    public ChannelReader<ClientDelivery> Received => _received.Reader;

    /// <summary>The <see cref="ClientDeliveryHandler"/> to give the link.</summary>
    public void OnDelivery(ClientDeliveryKind kind, ReadOnlySpan<byte> payload, Bytes16 surbId, byte queueSizeHint)
    {
        if (kind == ClientDeliveryKind.Message && _marker.IsLoop(payload))
        {
            _counters.LoopReturned();
            return;
        }

        if (_next is { } next)
        {
            next(kind, payload, surbId, queueSizeHint);
        }
        else
        {
            _received.Writer.TryWrite(new ClientDelivery(kind, payload.ToArray(), surbId, queueSizeHint));
        }
    }

    /// <summary>Ends <see cref="Received"/> (the link has ended).</summary>
    public void Complete() => _received.Writer.TryComplete();
}
