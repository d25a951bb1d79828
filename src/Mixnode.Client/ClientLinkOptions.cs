namespace Mixnode.Client;

/// <summary>Timing of a client's provider link.</summary>
internal sealed record ClientLinkOptions
{
    /// <summary>How long a TCP connect to the provider may take before it is called unreachable.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the Noise handshake may take once connected.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait before asking again after the provider said the mailbox is empty.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>RetrieveMessage commands in flight at once: pipelining drains a full mailbox without a round trip each.</summary>
    public int MaxOutstandingRetrieves { get; init; } = 4;

    /// <summary>False for a client that only sends (no RetrieveMessage at all).</summary>
    public bool Poll { get; init; } = true;

    /// <summary>Send a NoOp when nothing else went out for this long, so the provider's idle timeout does not close us.</summary>
    public TimeSpan NoOpInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Close the link when nothing at all arrived for this long (polling makes the provider answer often).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Once connected, run the socket's completions, and with them the receive loop and a
    /// <see cref="ClientDeliveryHandler"/>, on the runtime's socket thread rather than a thread-pool thread: a thread
    /// wake-up less per arrival (<see cref="InlineCompletions"/>). Only for handlers that never block, since a blocked
    /// one would hold up every socket of the process. For load generators sharing a machine with what they measure.
    /// </summary>
    public bool InlineSocketCompletions { get; init; }
}
