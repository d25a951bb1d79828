namespace Mixnode.Node.Delivery;

/// <summary>What became of a retrieval the sink was asked to park.</summary>
internal enum ParkOutcome
{
    /// <summary>Parked: it is answered when a message arrives (or dropped when its session ends).</summary>
    Parked,

    /// <summary>A message is there: take it now.</summary>
    MessageWaiting,

    /// <summary>Too many retrievals are parked over all clients: answer Empty (counted).</summary>
    Refused,

    /// <summary>The session ended meanwhile: nothing to answer.</summary>
    Ended,
}
