namespace Mixnode.Cli.Loadgen;

/// <summary>What a scheduled loadgen packet is: a measured message, or one of the two kinds of Loopix cover.</summary>
internal enum LoadgenPacketKind : byte
{
    /// <summary>A real message to another loadgen client, counted for delivery and latency.</summary>
    Message,

    /// <summary>Drop cover: a payload slot with no message waiting; discarded by the provider it is addressed to.</summary>
    Drop,

    /// <summary>Loop cover: through the network back into the sender's own mailbox.</summary>
    Loop,
}
