using System.Diagnostics;
using Mixnode.Client;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// Counts what arrives in the clients' mailboxes, called straight from each link's receive loop
/// (<see cref="ClientDeliveryHandler"/>): no channel between them, so no thread wake-up and no payload copy per
/// message. <see cref="Stop"/> freezes the statistics for the report while links still deliver. The clients' own
/// loops never get here: their <c>MixnodeClient</c> takes them out and counts them.
/// </summary>
internal sealed class LoadgenReceiver
{
    private readonly LoadgenStatistics _statistics;
    private int _counting;
    private int _stopped;

    public LoadgenReceiver(LoadgenStatistics statistics) => _statistics = statistics;

    /// <summary>The handler for client <paramref name="recipient"/>'s link: arrivals are checked against the recipient each message names.</summary>
    public ClientDeliveryHandler For(int recipient) =>
        (kind, payload, surbId, queueSizeHint) => OnDelivery(recipient, kind, payload, surbId, queueSizeHint);

    public void OnDelivery(int recipient, ClientDeliveryKind kind, ReadOnlySpan<byte> payload, Bytes16 surbId, byte queueSizeHint)
    {
        long now = Stopwatch.GetTimestamp();

        // The increment is a full fence: either Stop sees us counting and waits, or we see it stopped and do nothing.
        Interlocked.Increment(ref _counting);
        try
        {
            if (Volatile.Read(ref _stopped) != 0)
            {
                return;
            }

            if (kind == ClientDeliveryKind.Message && LoadgenMessage.TryRead(payload, out LoadgenMessage message))
            {
                _statistics.RecordArrival(message, now, recipient);
            }
            else
            {
                // An earlier run's leftover in the mailbox, or a SURB reply nobody here asked for.
                _statistics.RecordForeign();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _counting);
        }
    }

    /// <summary>Stops counting; returns once no arrival is being counted any more.</summary>
    public void Stop()
    {
        Interlocked.Exchange(ref _stopped, 1);
        var spin = new SpinWait();
        while (Volatile.Read(ref _counting) != 0)
        {
            spin.SpinOnce();
        }
    }
}
