using Mixnode.Node.Delivery;
using Mixnode.Links;
using Mixnode.Node.Unwrap;
using Mixnode.Node.Telemetry;
using Mixnode.Links.Wire;

namespace Mixnode.Node.Clients;

/// <summary>
/// What a provider does for its clients. SendPacket: a packet whose first hop is this provider goes to the
/// crypto workers, charged to the client's token bucket; a client over its rate is slowed (its link is not
/// read until its debt is paid, which fills its TCP window) and cut off when it stays over for
/// <see cref="ClientOptions.CutOffAfter"/>. RetrieveMessage: the oldest message of the client's mailbox
/// (the mailbox id is the client's static key) as Message, MessageACK for a SURB reply, or MessageEmpty.
/// </summary>
internal sealed class ClientCommandHandler : ILinkCommandHandler
{
    private readonly IngressQueue _ingress;
    private readonly MailboxDeliverySink? _mailboxes;
    private readonly ClientOptions _options;
    private readonly WireFraming _framing;
    private readonly TimeProvider _time;
    private readonly NodeMetrics _metrics;

    public ClientCommandHandler(IngressQueue ingress, MailboxDeliverySink? mailboxes, ClientOptions options, WireFraming framing, NodeMetrics metrics, TimeProvider time)
    {
        _ingress = ingress;
        _mailboxes = mailboxes;
        _options = options;
        _framing = framing;
        _metrics = metrics;
        _time = time;
    }

    public bool Handle(LinkSession session, in WireCommand command)
    {
        switch (command.Id)
        {
            case WireCommandId.SendPacket:
                if (command.Payload.Length != _framing.PacketLength)
                {
                    return false;
                }

                StateOf(session).Bucket.Take();
                byte[] buffer = PacketBuffers.Rent(_framing.PacketLength);
                command.Payload.CopyTo(buffer);
                _ingress.EnqueueInBurst(new IngressPacket(buffer, _framing.PacketLength, _time.GetTimestamp(), session));
                return true;

            case WireCommandId.RetrieveMessage:
                _ = ReplyAsync(session, command.Sequence);
                return true;

            default:
                return false;
        }
    }

    public void ReadHandled(LinkSession session) => _ingress.EndOfBurst();

    public TimeSpan ReadPause(LinkSession session)
    {
        ClientSessionState state = StateOf(session);
        TimeSpan debt = state.Bucket.Debt();
        if (debt == TimeSpan.Zero)
        {
            state.ThrottledSince = 0;
            return TimeSpan.Zero;
        }

        if (state.ThrottledSince == 0)
        {
            state.ThrottledSince = _time.GetTimestamp();
        }

        TimeSpan left = _options.CutOffAfter - _time.GetElapsedTime(state.ThrottledSince);
        if (left <= TimeSpan.Zero)
        {
            session.Close(LinkCloseReason.RateLimited);
            return TimeSpan.Zero;
        }

        // A pipe-full of packets can put a client many seconds in debt: pause no longer than the cut-off
        // allows, so a client that stays over its rate is cut off on time rather than after its whole debt.
        return debt < left ? debt : left + TimeSpan.FromMilliseconds(1);
    }

    private ClientSessionState StateOf(LinkSession session)
    {
        if (session.State is not ClientSessionState state)
        {
            state = new ClientSessionState(new TokenBucket(_options.RatePerSecond, _options.Burst, _time));
            session.State = state;
        }

        return state;
    }

    /// <summary>
    /// Answers a retrieval: the oldest message at once if there is one; otherwise the request is parked and
    /// answered the moment a message arrives (long polling: no poll interval in the latency). MessageEmpty
    /// only when parking is impossible (too many parked requests, or no mailbox room).
    /// </summary>
    private async Task ReplyAsync(LinkSession session, uint sequence)
    {
        while (!TryAnswerNow(session, sequence))
        {
            if (_mailboxes is null)
            {
                await SendEmptyAsync(session, sequence).ConfigureAwait(false);
                return;
            }

            if (_mailboxes.TryPark(session.RemoteStaticKey, () => session.CloseReason is null && TryAnswerNow(session, sequence), out bool full))
            {
                return;
            }

            if (full)
            {
                await SendEmptyAsync(session, sequence).ConfigureAwait(false);
                return;
            }

            // A message arrived between the look and the park: take it.
        }
    }

    private Task SendEmptyAsync(LinkSession session, uint sequence) =>
        session.SendAsync(frame => WireCodec.TryEncode(WireCommand.MessageEmpty(sequence), frame, _framing) == WireEncodeResult.Ok).AsTask();

    /// <summary>Sends the oldest message if there is one (true), without waiting for the send to finish.</summary>
    private bool TryAnswerNow(LinkSession session, uint sequence)
    {
        if (_mailboxes is null || !_mailboxes.TryFetch(session.RemoteStaticKey, out StoredMessage message, out int remaining))
        {
            return false;
        }

        _ = SendMessageAsync(session, sequence, message, remaining);
        return true;
    }

    private async Task SendMessageAsync(LinkSession session, uint sequence, StoredMessage message, int remaining)
    {
        try
        {
            byte hint = (byte)Math.Min(255, remaining);
            bool sent = await session.SendAsync(frame => WireCodec.TryEncode(
                message.IsSurbReply
                    ? WireCommand.MessageAck(hint, sequence, message.SurbId.AsReadOnlySpan(), message.Payload)
                    : WireCommand.Message(hint, sequence, message.Payload),
                frame,
                _framing) == WireEncodeResult.Ok).ConfigureAwait(false);
            if (!sent)
            {
                // The link went away with the message: it is lost like any message of a vanished client.
                _metrics.PacketDropped(DropReason.Overload);
            }
        }
        finally
        {
            message.Return();
        }
    }
}
