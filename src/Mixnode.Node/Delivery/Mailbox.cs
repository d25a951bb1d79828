namespace Mixnode.Node.Delivery;

/// <summary>
/// The queue of one recipient, oldest first, and the retrievals parked on it. Bounded: queued plus handed-out
/// (leased, not yet acknowledged) messages never exceed the capacity, and a full mailbox refuses the *new* message,
/// so a flood cannot push out mail already waiting (the provider cannot tell senders apart: see docs/security.md).
/// A mailbox with no message, no lease and no parked retrieval is removed by its sink; once removed it refuses
/// everything and its users look the recipient up again.
/// </summary>
internal sealed class Mailbox
{
    private readonly LinkedList<StoredMessage> _messages = new();
    private readonly LinkedList<ParkedRetrieval> _waiters = new();
    private readonly int _capacity;
    private int _leased;
    private bool _removed;

    public Mailbox(int capacity) => _capacity = capacity;

    /// <summary>Messages queued now (not those handed out and awaiting acknowledgement).</summary>
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

    /// <summary>Messages handed out and not yet acknowledged or given back.</summary>
    public int Leased
    {
        get
        {
            lock (_messages)
            {
                return _leased;
            }
        }
    }

    /// <summary>Queues <paramref name="message"/> at the tail unless the mailbox is full or removed; the caller then wakes a waiter.</summary>
    public MailboxAddResult TryAdd(in StoredMessage message)
    {
        lock (_messages)
        {
            if (_removed)
            {
                return MailboxAddResult.Removed;
            }

            if (_messages.Count + _leased >= _capacity)
            {
                return MailboxAddResult.Full;
            }

            _messages.AddLast(message);
            return MailboxAddResult.Added;
        }
    }

    /// <summary>Parks a retrieval while the mailbox is empty; <see cref="ParkResult.MessageWaiting"/> when there is one to take now.</summary>
    public ParkResult TryPark(ParkedRetrieval waiter)
    {
        lock (_messages)
        {
            if (_removed)
            {
                return ParkResult.Removed;
            }

            if (_messages.Count > 0)
            {
                return ParkResult.MessageWaiting;
            }

            _waiters.AddLast(waiter);
            return ParkResult.Parked;
        }
    }

    /// <summary>The oldest parked retrieval, taken off the list, if a message is there for it.</summary>
    public bool TryTakeWaiter(out ParkedRetrieval? waiter)
    {
        lock (_messages)
        {
            if (_messages.Count == 0 || _waiters.First is not { } first)
            {
                waiter = null;
                return false;
            }

            waiter = first.Value;
            _waiters.RemoveFirst();
            return true;
        }
    }

    /// <summary>Removes the parked retrievals of one session (it ended); returns how many there were.</summary>
    public int RemoveWaitersOf(RetrievalSession owner)
    {
        lock (_messages)
        {
            int removed = 0;
            for (LinkedListNode<ParkedRetrieval>? node = _waiters.First; node is not null;)
            {
                LinkedListNode<ParkedRetrieval>? next = node.Next;
                if (ReferenceEquals(node.Value.Owner, owner))
                {
                    _waiters.Remove(node);
                    removed++;
                }

                node = next;
            }

            return removed;
        }
    }

    /// <summary>Takes the oldest message; with <paramref name="lease"/> it stays counted against the capacity until acknowledged or given back.</summary>
    public bool TryTake(bool lease, out StoredMessage message, out int remaining)
    {
        lock (_messages)
        {
            if (_messages.First is not { } first)
            {
                message = default;
                remaining = 0;
                return false;
            }

            message = first.Value;
            _messages.RemoveFirst();
            if (lease)
            {
                _leased++;
            }

            remaining = _messages.Count;
            return true;
        }
    }

    /// <summary>A leased message was acknowledged (the caller frees it).</summary>
    public void EndLease()
    {
        lock (_messages)
        {
            _leased--;
        }
    }

    /// <summary>Leased messages that were not acknowledged go back to the head, in the order they were handed out.</summary>
    public void GiveBack(IReadOnlyList<StoredMessage> messages)
    {
        lock (_messages)
        {
            for (int i = messages.Count - 1; i >= 0; i--)
            {
                _messages.AddFirst(messages[i]);
            }

            _leased -= messages.Count;
        }
    }

    /// <summary>Takes every queued message that arrived before <paramref name="isExpired"/> says no more (they are oldest first).</summary>
    public void TakeExpired(Func<long, bool> isExpired, List<StoredMessage> expired)
    {
        lock (_messages)
        {
            while (_messages.First is { } first && isExpired(first.Value.ArrivedTimestamp))
            {
                expired.Add(first.Value);
                _messages.RemoveFirst();
            }
        }
    }

    /// <summary>Marks the mailbox removed if nothing uses it (no message, lease or waiter); true when it was (the sink then drops it).</summary>
    public bool TryMarkRemoved()
    {
        lock (_messages)
        {
            if (_removed || (_messages.Count == 0 && _leased == 0 && _waiters.Count == 0))
            {
                _removed = true;
                return true;
            }

            return false;
        }
    }
}
