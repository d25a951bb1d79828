namespace Mixnode.Node.Delivery;

/// <summary>What <see cref="Mailbox.TryPark"/> did.</summary>
internal enum ParkResult
{
    Parked,
    MessageWaiting,
    Removed,
}
