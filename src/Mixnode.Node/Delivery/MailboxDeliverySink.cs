using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mixnode.Node.Telemetry;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// A provider's delivery: a bounded mailbox per recipient id, under three limits (docs/security.md, "Mailboxes and
/// retrieval"): messages per mailbox (<see cref="DeliveryOptions.MailboxCapacity"/>), bytes over all mailboxes
/// (<see cref="DeliveryOptions.MaxStoredBytes"/>) and mailboxes made by deliveries (<see cref="DeliveryOptions.MaxMailboxes"/>).
/// Each refuses the *new* message (counted in <c>mixnode.mailbox.dropped</c>; the caller counts an overload drop),
/// never mail already queued. A message not fetched within <see cref="DeliveryOptions.MessageLifetime"/> expires,
/// and a mailbox with nothing in it, nothing handed out and nobody waiting is removed at once, so throwaway
/// identities and abandoned recipients leave nothing behind. Retrieval is acknowledge-then-delete: a message handed
/// to a client stays leased to its <see cref="RetrievalSession"/> until acknowledged, and returns to the head of
/// the mailbox if the session ends first.
/// </summary>
public sealed class MailboxDeliverySink : IDeliverySink, IDisposable
{
    private readonly ConcurrentDictionary<Bytes32, Mailbox> _mailboxes = new();
    private readonly DeliveryOptions _options;
    private readonly NodeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private readonly Func<long, bool> _isExpired;
    private long _storedBytes;
    private int _parked;

    public MailboxDeliverySink(IOptions<NodeOptions> options, NodeMetrics metrics, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Delivery;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _isExpired = arrived => _time.GetElapsedTime(arrived) >= _options.MessageLifetime;

        // Expiry is checked a few times per lifetime: a message lives at most a quarter lifetime (or a minute) too long.
        TimeSpan period = _options.MessageLifetime / 4 < TimeSpan.FromMinutes(1) ? _options.MessageLifetime / 4 : TimeSpan.FromMinutes(1);
        _sweep = _time.CreateTimer(static state => ((MailboxDeliverySink)state!).Sweep(), this, period, period);
        metrics.ObserveMailboxes(() => (MailboxCount, StoredBytes));
    }

    /// <summary>Mailboxes that exist now.</summary>
    public int MailboxCount => _mailboxes.Count;

    /// <summary>Bytes held by every stored message, queued or handed out (pooled buffers, counted at their full size).</summary>
    public long StoredBytes => Interlocked.Read(ref _storedBytes);

    /// <summary>Retrievals parked now over all clients.</summary>
    public int ParkedCount => Volatile.Read(ref _parked);

    public bool Deliver(in DeliveredMessage message)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(message.Payload.Length);
        if (Interlocked.Add(ref _storedBytes, buffer.Length) > _options.MaxStoredBytes)
        {
            ReleaseBuffer(buffer, MailboxDropReason.StoreFull);
            return false;
        }

        message.Payload.CopyTo(buffer);
        var stored = new StoredMessage(buffer, message.Payload.Length, message.IsSurbReply, message.SurbId, _time.GetTimestamp());
        while (true)
        {
            if (!_mailboxes.TryGetValue(message.RecipientId, out Mailbox? mailbox))
            {
                if (_mailboxes.Count >= _options.MaxMailboxes)
                {
                    Free(stored, MailboxDropReason.NoMailbox);
                    return false;
                }

                mailbox = _mailboxes.GetOrAdd(message.RecipientId, _ => new Mailbox(_options.MailboxCapacity));
            }

            switch (mailbox.TryAdd(stored))
            {
                case MailboxAddResult.Added:
                    WakeWaiters(mailbox);
                    return true;
                case MailboxAddResult.Full:
                    Free(stored, MailboxDropReason.MailboxFull);
                    return false;
                default:
                    // Removed between the look-up and the add: look again (a fresh mailbox takes its place).
                    _mailboxes.TryRemove(new KeyValuePair<Bytes32, Mailbox>(message.RecipientId, mailbox));
                    continue;
            }
        }
    }

    /// <summary>Takes the oldest message of a recipient for good (no lease); the caller must <see cref="StoredMessage.Return"/> it.</summary>
    public bool TryFetch(in Bytes32 recipientId, out StoredMessage message, out int remaining)
    {
        if (_mailboxes.TryGetValue(recipientId, out Mailbox? mailbox) && mailbox.TryTake(lease: false, out message, out remaining))
        {
            Interlocked.Add(ref _storedBytes, -message.StoredBytes);
            RemoveIfUnused(recipientId, mailbox);
            return true;
        }

        message = default;
        remaining = 0;
        return false;
    }

    /// <summary>The retrieval state of a new client link fetching <paramref name="recipientId"/>'s mail; end it with <see cref="EndRetrieval"/>.</summary>
    internal RetrievalSession BeginRetrieval(in Bytes32 recipientId) => new(recipientId);

    /// <summary>Hands the oldest message of the session's mailbox to it as a lease; false when there is none (or the session ended).</summary>
    internal bool TryLease(RetrievalSession session, out RetrievalLease? lease, out int remaining)
    {
        if (_mailboxes.TryGetValue(session.Recipient, out Mailbox? mailbox) && session.TryLease(mailbox, out lease, out remaining))
        {
            return true;
        }

        lease = null;
        remaining = 0;
        return false;
    }

    /// <summary>Deletes the messages the client acknowledged: every answer numbered below <paramref name="answersRead"/>.</summary>
    internal void Acknowledge(RetrievalSession session, uint answersRead)
    {
        if (session.LeaseCount == 0)
        {
            return;
        }

        var acknowledged = new List<StoredMessage>();
        session.Acknowledge(answersRead, acknowledged);
        if (acknowledged.Count == 0 || !_mailboxes.TryGetValue(session.Recipient, out Mailbox? mailbox))
        {
            return;
        }

        foreach (StoredMessage message in acknowledged)
        {
            mailbox.EndLease();
            Interlocked.Add(ref _storedBytes, -message.StoredBytes);
            message.Return();
        }

        RemoveIfUnused(session.Recipient, mailbox);
    }

    /// <summary>
    /// Long polling: parks <paramref name="answer"/> until a message for the session arrives. A retrieval always gets
    /// a mailbox (a connected client is never locked out by the mailbox limit, which only bounds deliveries; waiters are
    /// bounded by sessions and <see cref="DeliveryOptions.MaxParkedRetrievals"/>).
    /// </summary>
    internal ParkOutcome TryPark(RetrievalSession session, Func<bool> answer)
    {
        if (Interlocked.Increment(ref _parked) > _options.MaxParkedRetrievals)
        {
            Interlocked.Decrement(ref _parked);
            _metrics.RetrievalRefused(RetrievalRefusedReason.ParkedLimit);
            return ParkOutcome.Refused;
        }

        var waiter = new ParkedRetrieval(session, answer);
        while (!session.Ended)
        {
            Mailbox mailbox = _mailboxes.GetOrAdd(session.Recipient, _ => new Mailbox(_options.MailboxCapacity));
            switch (mailbox.TryPark(waiter))
            {
                case ParkResult.Parked:
                    // The session may have ended between the look and the park: its end then finds no waiter, so look again.
                    if (session.Ended && mailbox.RemoveWaitersOf(session) > 0)
                    {
                        Interlocked.Decrement(ref _parked);
                        RemoveIfUnused(session.Recipient, mailbox);
                        return ParkOutcome.Ended;
                    }

                    return ParkOutcome.Parked;
                case ParkResult.MessageWaiting:
                    Interlocked.Decrement(ref _parked);
                    return ParkOutcome.MessageWaiting;
                default:
                    _mailboxes.TryRemove(new KeyValuePair<Bytes32, Mailbox>(session.Recipient, mailbox));
                    continue;
            }
        }

        Interlocked.Decrement(ref _parked);
        return ParkOutcome.Ended;
    }

    /// <summary>
    /// The session ended: its parked retrievals are dropped, and its unacknowledged messages go back to the head of the
    /// mailbox for the next session (a link that dropped before the client read them loses nothing).
    /// </summary>
    internal void EndRetrieval(RetrievalSession session)
    {
        List<StoredMessage> unacknowledged = session.End();
        if (!_mailboxes.TryGetValue(session.Recipient, out Mailbox? mailbox))
        {
            // Leases keep their mailbox, so there is none only when nothing was leased or parked.
            return;
        }

        Interlocked.Add(ref _parked, -mailbox.RemoveWaitersOf(session));
        if (unacknowledged.Count > 0)
        {
            mailbox.GiveBack(unacknowledged);
            WakeWaiters(mailbox);
        }

        RemoveIfUnused(session.Recipient, mailbox);
    }

    public void Dispose() => _sweep.Dispose();

    /// <summary>Expires what waited too long and removes what nobody uses; runs on the sweep timer (tests call it).</summary>
    internal void Sweep()
    {
        var expired = new List<StoredMessage>();
        foreach ((Bytes32 recipient, Mailbox mailbox) in _mailboxes)
        {
            expired.Clear();
            mailbox.TakeExpired(_isExpired, expired);
            foreach (StoredMessage message in expired)
            {
                Free(message, MailboxDropReason.Expired);
            }

            RemoveIfUnused(recipient, mailbox);
        }
    }

    private void WakeWaiters(Mailbox mailbox)
    {
        // Outside the mailbox's lock: the waiter takes from this mailbox. One whose link is gone passes the turn on.
        while (mailbox.TryTakeWaiter(out ParkedRetrieval? waiter))
        {
            Interlocked.Decrement(ref _parked);
            if (waiter!.Answer())
            {
                return;
            }
        }
    }

    private void RemoveIfUnused(in Bytes32 recipient, Mailbox mailbox)
    {
        if (mailbox.TryMarkRemoved())
        {
            _mailboxes.TryRemove(new KeyValuePair<Bytes32, Mailbox>(recipient, mailbox));
        }
    }

    private void Free(in StoredMessage message, MailboxDropReason reason)
    {
        Interlocked.Add(ref _storedBytes, -message.StoredBytes);
        message.Return();
        _metrics.MailboxDropped(reason);
    }

    private void ReleaseBuffer(byte[] buffer, MailboxDropReason reason)
    {
        Interlocked.Add(ref _storedBytes, -buffer.Length);
        ArrayPool<byte>.Shared.Return(buffer);
        _metrics.MailboxDropped(reason);
    }
}
