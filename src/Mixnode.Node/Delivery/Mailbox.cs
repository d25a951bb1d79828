using System.Buffers;

namespace Mixnode.Node.Delivery;

/// <summary>
/// The bounded queue of one recipient. When full, the oldest message goes (the recipient is not fetching;
/// the newest is likelier to matter), and the caller counts it. Buffers come from the shared array pool
/// and go back when a message is fetched or dropped.
/// </summary>
internal sealed class Mailbox
{
    private readonly Queue<StoredMessage> _messages = new();
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

    /// <summary>Adds a copy; returns true when an older message had to be dropped to make room.</summary>
    public bool Add(in DeliveredMessage message)
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
