namespace Mixnode.Sphinx.Commands;

/// <summary>First byte of each per-hop routing command (Katzenpost <c>core/sphinx/commands</c>).</summary>
public enum RoutingCommandTag : byte
{
    /// <summary>End of the commands: the rest of the block is zero padding.</summary>
    Null = 0x00,

    /// <summary>Next node id (32) and the MAC for the next hop (32).</summary>
    NextNodeHop = 0x01,

    /// <summary>Recipient id (32), on the last hop.</summary>
    Recipient = 0x02,

    /// <summary>SURB id (16), on the last hop of a reply.</summary>
    SurbReply = 0x03,

    /// <summary>Delay in milliseconds (uint32, big-endian) the mix holds the packet.</summary>
    NodeDelay = 0x80,
}
