namespace Mixnode.Node.Delivery;

/// <summary>
/// Where packets whose last hop is this node go. Called from crypto workers concurrently; must not block
/// and must copy what it keeps (the payload span is reused as soon as the call returns).
/// </summary>
public interface IDeliverySink
{
    /// <summary>Stores or consumes a message; false when it was dropped for lack of room (counted by the caller).</summary>
    bool Deliver(in DeliveredMessage message);
}
