using System.Threading;

namespace Mixnode.Node.Delivery;

/// <summary>
/// Counts deliveries and forgets them: for mixes (which are never a last hop in a well-formed route) and
/// for tests, which can watch each message through <see cref="Delivered"/>.
/// </summary>
public sealed class CountingDeliverySink : IDeliverySink
{
    private long _count;

    /// <summary>Called with every message, on the worker thread, before the payload span is reused.</summary>
    public DeliveryObserver? Delivered { get; set; }

    public long Count => Interlocked.Read(ref _count);

    public bool Deliver(in DeliveredMessage message)
    {
        Interlocked.Increment(ref _count);
        Delivered?.Invoke(message);
        return true;
    }
}

/// <summary>Sees a delivered message while its bytes are still valid.</summary>
public delegate void DeliveryObserver(in DeliveredMessage message);
