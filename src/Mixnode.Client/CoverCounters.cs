namespace Mixnode.Client;

/// <summary>
/// What a covering client's streams sent and what came back: real messages, drops and loops sent, loops returned,
/// messages refused because the queue was full, sends that failed. Thread-safe; the streams count as they send and
/// the receive loop as loops come back.
/// </summary>
internal sealed class CoverCounters
{
    private long _messagesSent;
    private long _dropsSent;
    private long _loopsSent;
    private long _loopsReturned;
    private long _messagesRejected;
    private long _sendFailures;

    /// <summary>Real messages sent in payload slots.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Payload slots that found no message waiting and carried a drop.</summary>
    public long DropsSent => Interlocked.Read(ref _dropsSent);

    public long LoopsSent => Interlocked.Read(ref _loopsSent);

    /// <summary>Our loops that came back into our mailbox (taken out of what the user sees).</summary>
    public long LoopsReturned => Interlocked.Read(ref _loopsReturned);

    /// <summary>Messages refused because <see cref="CoverTrafficOptions.MaxQueuedMessages"/> were already waiting.</summary>
    public long MessagesRejected => Interlocked.Read(ref _messagesRejected);

    /// <summary>Sends the link refused (it was gone).</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    internal void MessageSent() => Interlocked.Increment(ref _messagesSent);

    internal void DropSent() => Interlocked.Increment(ref _dropsSent);

    internal void LoopSent() => Interlocked.Increment(ref _loopsSent);

    internal void LoopReturned() => Interlocked.Increment(ref _loopsReturned);

    internal void MessageRejected() => Interlocked.Increment(ref _messagesRejected);

    internal void SendFailed() => Interlocked.Increment(ref _sendFailures);
}
