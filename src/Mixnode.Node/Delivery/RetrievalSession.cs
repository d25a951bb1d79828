using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// The retrieval side of one client link: the messages handed out on it and not yet acknowledged (leases), the
/// number of answers written so far, and its retrievals in progress. Acknowledgement (docs/client.md): answers are
/// numbered 0, 1, 2, … in the order they go on the wire (Empty answers too), and a RetrieveMessage whose sequence is
/// <c>n</c> acknowledges every answer numbered below <c>n</c> — the client sends the count of answers it has read.
/// When the session ends, what it holds unacknowledged goes back to the head of the mailbox.
/// </summary>
internal sealed class RetrievalSession
{
    private readonly List<RetrievalLease> _leases = [];
    private uint _answers;
    private bool _ended;
    private int _inProgress;

    public RetrievalSession(Bytes32 recipient) => Recipient = recipient;

    /// <summary>The mailbox this session retrieves from (the client's static key).</summary>
    public Bytes32 Recipient { get; }

    /// <summary>True once the session ended: it takes no lease, parks nothing and writes no answer any more.</summary>
    public bool Ended
    {
        get
        {
            lock (_leases)
            {
                return _ended;
            }
        }
    }

    /// <summary>Messages handed out on this session and not yet acknowledged.</summary>
    public int LeaseCount
    {
        get
        {
            lock (_leases)
            {
                return _leases.Count;
            }
        }
    }

    /// <summary>Retrievals asked and not yet answered (parked or being sent); bounds what one client can pile up.</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    public int BeginRetrieval() => Interlocked.Increment(ref _inProgress);

    public void EndRetrieval() => Interlocked.Decrement(ref _inProgress);

    /// <summary>Takes a message from <paramref name="mailbox"/> as a lease of this session; false when there is none or the session ended.</summary>
    public bool TryLease(Mailbox mailbox, out RetrievalLease? lease, out int remaining)
    {
        lock (_leases)
        {
            if (_ended || !mailbox.TryTake(lease: true, out StoredMessage message, out remaining))
            {
                lease = null;
                remaining = 0;
                return false;
            }

            lease = new RetrievalLease(message);
            _leases.Add(lease);
            return true;
        }
    }

    /// <summary>
    /// Writes the answer carrying <paramref name="lease"/> (called with the link's send gate held, so answers are
    /// numbered in wire order) and numbers it; false, touching nothing, once the session ended (the message may
    /// already be back in the mailbox and handed to someone else).
    /// </summary>
    public bool TryWriteAnswer(RetrievalLease lease, Span<byte> frame, LeaseEncoder encode)
    {
        lock (_leases)
        {
            if (_ended || !encode(lease.Message, frame))
            {
                return false;
            }

            lease.Number = _answers++;
            lease.Sent = true;
            return true;
        }
    }

    /// <summary>Numbers an answer without a message (Empty), which the client counts like any other.</summary>
    public void CountEmptyAnswer()
    {
        lock (_leases)
        {
            _answers++;
        }
    }

    /// <summary>Removes the leases the client acknowledged with <paramref name="answersRead"/> (every answer numbered below it) into <paramref name="acknowledged"/>.</summary>
    public void Acknowledge(uint answersRead, List<StoredMessage> acknowledged)
    {
        lock (_leases)
        {
            // A count ahead of what was written (an old client counting its requests instead) acknowledges what was written.
            uint upTo = (int)(answersRead - _answers) > 0 ? _answers : answersRead;
            _leases.RemoveAll(lease =>
            {
                if (lease.Sent && (int)(upTo - lease.Number) > 0)
                {
                    acknowledged.Add(lease.Message);
                    return true;
                }

                return false;
            });
        }
    }

    /// <summary>Ends the session; returns its unacknowledged messages, in the order they were handed out.</summary>
    public List<StoredMessage> End()
    {
        lock (_leases)
        {
            _ended = true;
            List<StoredMessage> left = [.. _leases.Select(l => l.Message)];
            _leases.Clear();
            return left;
        }
    }
}
