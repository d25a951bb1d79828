using System.Buffers;

namespace Mixnode.Node.Delivery;

/// <summary>
/// The bounded queue of one recipient. When full, the oldest message goes (the recipient is not fetching;
/// the newest is likelier to matter), and the caller counts it. Buffers come from the shared array pool
/// and go back when a message is fetched or dropped.
/// </summary>
internal sealed class Mailbox
{
    /// <summary>Retrievals parked while the mailbox was empty (long polling); bounded so a client cannot pile them up.</summary>
    public const int MaxWaiters = 16;

    private readonly Queue<StoredMessage> _messages = new();
    private readonly Queue<Func<bool>> _waiters = new();
    private readonly int _capacity;

    public Mailbox(int capacity) => _capacity = capacity;

    public int Count
    {
        get
        {
            lock (_messages)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>
    /// Parks a retrieval until a message arrives: false when a message is already there (fetch it now) or when
    /// too many retrievals wait. The waiter returns false if it can no longer take a message (its link closed).
    /// </summary>
    public bool TryPark(Func<bool> waiter, out bool full)
    {
        lock (_messages)
        {
            full = _waiters.Count >= MaxWaiters;
            if (_messages.Count > 0 || full)
            {
                return false;
            }

            _waiters.Enqueue(waiter);
            return true;
        }
    }

    /// <summary>Adds a copy, then wakes one parked retrieval; returns true when an older message had to be dropped to make room.</summary>
    public bool Add(in DeliveredMessage message)
    {
        bool dropped = Store(message);
        WakeWaiter();
        return dropped;
    }

    private void WakeWaiter()
    {
        while (true)
        {
            Func<bool>? waiter;
            lock (_messages)
            {
                if (_messages.Count == 0 || !_waiters.TryDequeue(out waiter))
                {
                    return;
                }
            }

            // Outside the lock: the waiter fetches from this mailbox. One that is gone passes the turn on.
            if (waiter())
            {
                return;
            }
        }
    }

    private bool Store(in DeliveredMessage message)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(message.Payload.Length);
        message.Payload.CopyTo(buffer);
        var stored = new StoredMessage(buffer, message.Payload.Length, message.IsSurbReply, message.SurbId);
        bool droppedOldest = false;
        lock (_messages)
        {
            if (_messages.Count >= _capacity)
            {
                StoredMessage oldest = _messages.Dequeue();
                oldest.Return();
                droppedOldest = true;
            }

            _messages.Enqueue(stored);
        }

        return droppedOldest;
    }

    /// <summary>Takes the oldest message; the caller owns it and must <see cref="StoredMessage.Return"/> it.</summary>
    public bool TryTake(out StoredMessage message)
    {
        lock (_messages)
        {
            return _messages.TryDequeue(out message);
        }
    }
}
