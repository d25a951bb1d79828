using System.Collections.Concurrent;
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
/// (the mailbox id is the client's static key) as Message, MessageACK for a SURB reply, or MessageEmpty; the
/// request's sequence acknowledges the answers the client has read (<see cref="RetrievalSession"/>), and what it
/// has not acknowledged when its link ends goes back to its mailbox.
/// </summary>
internal sealed class ClientCommandHandler : ILinkCommandHandler, ISourcePrefixAware
{
    private readonly PrefixRateLimiter _prefixes;
    private readonly IngressQueue _ingress;
    private readonly MailboxDeliverySink? _mailboxes;
    private readonly ClientOptions _options;
    private readonly WireFraming _framing;
    private readonly TimeProvider _time;
    private readonly NodeMetrics _metrics;
    private readonly ConcurrentDictionary<LinkSession, RetrievalSession> _retrievals = new();

    public ClientCommandHandler(IngressQueue ingress, MailboxDeliverySink? mailboxes, ClientOptions options, WireFraming framing, NodeMetrics metrics, TimeProvider time, int maxRetrievalsPerSession = 64, int maxTrackedPrefixes = 65_536)
    {
        MaxRetrievalsPerSession = maxRetrievalsPerSession;
        _ingress = ingress;
        _mailboxes = mailboxes;
        _options = options;
        _framing = framing;
        _metrics = metrics;
        _time = time;
        _prefixes = new PrefixRateLimiter(options.PrefixRatePerSecond, options.PrefixBurst, maxTrackedPrefixes, time);
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

                // Charged to the client and to its source prefix: reconnecting with a fresh key resets only the former.
                ClientSessionState sender = StateOf(session);
                sender.Bucket.Take();
                sender.Prefix?.Take();
                byte[] buffer = PacketBuffers.Rent(_framing.PacketLength);
                command.Payload.CopyTo(buffer);
                _ingress.EnqueueInBurst(new IngressPacket(buffer, _framing.PacketLength, _time.GetTimestamp(), session));
                return true;

            case WireCommandId.RetrieveMessage:
                return Retrieve(session, command.Sequence);

            default:
                return false;
        }
    }

    public void ReadHandled(LinkSession session) => _ingress.EndOfBurst();

    public TimeSpan ReadPause(LinkSession session)
    {
        ClientSessionState state = StateOf(session);
        TimeSpan debt = state.Bucket.Debt();

        // The prefix's debt pauses every client of the prefix but cuts none off: it may be another client's doing.
        TimeSpan shared = state.Prefix?.Debt() ?? TimeSpan.Zero;
        if (debt == TimeSpan.Zero)
        {
            state.ThrottledSince = 0;
            return shared;
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
        TimeSpan own = debt < left ? debt : left + TimeSpan.FromMilliseconds(1);
        return own > shared ? own : shared;
    }

    /// <summary>The listener admitted a client connection from <paramref name="prefix"/>: its packets are charged there too.</summary>
    public bool TryAttach(LinkSession session, SourcePrefix prefix)
    {
        PrefixLease? lease = _prefixes.Lease(prefix);
        if (lease is null)
        {
            return false;
        }

        session.State = new ClientSessionState(new TokenBucket(_options.RatePerSecond, _options.Burst, _time), lease);
        return true;
    }

    public void Detach(LinkSession session) => (session.State as ClientSessionState)?.Prefix?.Dispose();

    private ClientSessionState StateOf(LinkSession session)
    {
        if (session.State is not ClientSessionState state)
        {
            state = new ClientSessionState(new TokenBucket(_options.RatePerSecond, _options.Burst, _time));
            session.State = state;
        }

        return state;
    }

    /// <summary>Unanswered retrievals (parked or being sent) one link may have; one more closes it (reason retrieval_limit).</summary>
    public int MaxRetrievalsPerSession { get; }

    /// <summary>The link ended: its parked retrievals go, its unacknowledged messages return to its mailbox.</summary>
    public void Closed(LinkSession session)
    {
        if (_retrievals.TryRemove(session, out RetrievalSession? retrieval))
        {
            _mailboxes!.EndRetrieval(retrieval);
        }
    }

    private bool Retrieve(LinkSession session, uint sequence)
    {
        if (_mailboxes is null)
        {
            _ = SendEmptyAsync(session, null, sequence);
            return true;
        }

        // Only the receive loop adds, and Closed (which removes) runs on it after the last command.
        RetrievalSession retrieval = _retrievals.GetOrAdd(session, static (s, sink) => sink.BeginRetrieval(s.RemoteStaticKey), _mailboxes);

        // The sequence is the number of answers the client has read on this link: those are delivered (docs/client.md).
        _mailboxes.Acknowledge(retrieval, sequence);
        if (retrieval.BeginRetrieval() > MaxRetrievalsPerSession)
        {
            // A client that asks faster than it reads would pile up parked requests and answers waiting to be sent.
            retrieval.EndRetrieval();
            session.Close(LinkCloseReason.RetrievalLimit);
            return false;
        }

        _ = ReplyAsync(session, retrieval, sequence);
        return true;
    }

    /// <summary>
    /// Answers a retrieval: the oldest message at once if there is one; otherwise the request is parked and
    /// answered the moment a message arrives (long polling: no poll interval in the latency). MessageEmpty
    /// only when parking is impossible (too many retrievals parked over all clients).
    /// </summary>
    private async Task ReplyAsync(LinkSession session, RetrievalSession retrieval, uint sequence)
    {
        while (!TryAnswerNow(session, retrieval, sequence))
        {
            switch (_mailboxes!.TryPark(retrieval, () => session.CloseReason is null && TryAnswerNow(session, retrieval, sequence)))
            {
                case ParkOutcome.Parked:
                    return;
                case ParkOutcome.Refused:
                    await SendEmptyAsync(session, retrieval, sequence).ConfigureAwait(false);
                    return;
                case ParkOutcome.Ended:
                    retrieval.EndRetrieval();
                    return;
                default:
                    // A message arrived between the look and the park: take it.
                    continue;
            }
        }
    }

    private async Task SendEmptyAsync(LinkSession session, RetrievalSession? retrieval, uint sequence)
    {
        try
        {
            _ = await session.SendAsync(frame =>
            {
                if (WireCodec.TryEncode(WireCommand.MessageEmpty(sequence), frame, _framing) != WireEncodeResult.Ok)
                {
                    return false;
                }

                // Under the send gate: Empty answers are numbered in wire order like the others.
                retrieval?.CountEmptyAnswer();
                return true;
            }).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The link was disposed while the answer waited for its turn.
        }
        finally
        {
            retrieval?.EndRetrieval();
        }
    }

    /// <summary>Sends the oldest message (leased to the session) if there is one (true), without waiting for the send to finish.</summary>
    private bool TryAnswerNow(LinkSession session, RetrievalSession retrieval, uint sequence)
    {
        if (!_mailboxes!.TryLease(retrieval, out RetrievalLease? lease, out int remaining))
        {
            return false;
        }

        _ = SendMessageAsync(session, retrieval, sequence, lease!, remaining);
        return true;
    }

    private async Task SendMessageAsync(LinkSession session, RetrievalSession retrieval, uint sequence, RetrievalLease lease, int remaining)
    {
        try
        {
            byte hint = (byte)Math.Min(255, remaining);
            LeaseEncoder encode = (in StoredMessage message, Span<byte> frame) => WireCodec.TryEncode(
                message.IsSurbReply
                    ? WireCommand.MessageAck(hint, sequence, message.SurbId.AsReadOnlySpan(), message.Payload)
                    : WireCommand.Message(hint, sequence, message.Payload),
                frame,
                _framing) == WireEncodeResult.Ok;

            // Not sent (the link went away): the message stays leased and goes back to the mailbox when the session ends.
            _ = await session.SendAsync(frame => retrieval.TryWriteAnswer(lease, frame, encode)).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The link was disposed while the answer waited for its turn: the same as not sent.
        }
        finally
        {
            retrieval.EndRetrieval();
        }
    }
}
