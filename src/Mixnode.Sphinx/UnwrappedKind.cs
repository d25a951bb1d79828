namespace Mixnode.Sphinx;

/// <summary>What a hop does with a packet it unwrapped.</summary>
public enum UnwrappedKind : byte
{
    /// <summary>Send the re-blinded packet (same buffer) to the next node after its NodeDelay.</summary>
    Forward,

    /// <summary>Last hop: the message (tag checked and stripped) is for the Recipient.</summary>
    Deliver,

    /// <summary>Last hop of a reply: the still-encrypted payload goes to the Recipient with the SURB id.</summary>
    SurbReply,
}
