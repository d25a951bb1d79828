using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mixnode.Node.Telemetry;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// A provider's delivery: a bounded mailbox per recipient id, a bounded number of mailboxes. A full mailbox
/// drops its oldest message; a new recipient beyond the mailbox limit has its message dropped. Both are
/// counted as overload drops. Clients fetch over their link (issue 4).
/// </summary>
public sealed class MailboxDeliverySink : IDeliverySink
{
    private readonly ConcurrentDictionary<Bytes32, Mailbox> _mailboxes = new();
    private readonly DeliveryOptions _options;
    private readonly NodeMetrics _metrics;

    public MailboxDeliverySink(IOptions<NodeOptions> options, NodeMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Delivery;
        _metrics = metrics;
    }

    /// <summary>Mailboxes that exist now.</summary>
    public int MailboxCount => _mailboxes.Count;

    public bool Deliver(in DeliveredMessage message)
    {
        if (!_mailboxes.TryGetValue(message.RecipientId, out Mailbox? mailbox))
        {
            if (_mailboxes.Count >= _options.MaxMailboxes)
            {
                return false;
            }

            mailbox = _mailboxes.GetOrAdd(message.RecipientId, _ => new Mailbox(_options.MailboxCapacity));
        }

        if (mailbox.Add(message))
        {
            _metrics.PacketDropped(DropReason.Overload);
        }

        return true;
    }

    /// <summary>
    /// Long polling: parks <paramref name="waiter"/> until a message for <paramref name="recipientId"/> arrives.
    /// False when there is one already (fetch now) or the recipient has too many parked retrievals.
    /// </summary>
    public bool TryPark(in Bytes32 recipientId, Func<bool> waiter, out bool full)
    {
        full = false;
        if (!_mailboxes.TryGetValue(recipientId, out Mailbox? mailbox))
        {
            if (_mailboxes.Count >= _options.MaxMailboxes)
            {
                full = true;
                return false;
            }

            mailbox = _mailboxes.GetOrAdd(recipientId, _ => new Mailbox(_options.MailboxCapacity));
        }

        return mailbox.TryPark(waiter, out full);
    }

    /// <summary>Takes the oldest message of a recipient; the caller must <see cref="StoredMessage.Return"/> it.</summary>
    public bool TryFetch(in Bytes32 recipientId, out StoredMessage message, out int remaining)
    {
        if (_mailboxes.TryGetValue(recipientId, out Mailbox? mailbox) && mailbox.TryTake(out message))
        {
            remaining = mailbox.Count;
            return true;
        }

        message = default;
        remaining = 0;
        return false;
    }
}
