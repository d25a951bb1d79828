using Mixnode.Sphinx.Commands;

namespace Mixnode.Sphinx;

/// <summary>
/// One hop of a route a client builds a packet or SURB for: the node's id, its mix public key for the
/// epoch, and the user commands it should receive (NodeDelay on mix hops; Recipient, plus SURBReply for a
/// SURB, on the last hop). NextNodeHop is added by the builder.
/// </summary>
public readonly struct PathHop
{
    public PathHop(ReadOnlySpan<byte> nodeId, ReadOnlySpan<byte> publicKey, RoutingCommands commands)
    {
        NodeId = Bytes32.From(nodeId);
        PublicKey = Bytes32.From(publicKey);
        Commands = commands;
    }

    public Bytes32 NodeId { get; }

    public Bytes32 PublicKey { get; }

    public RoutingCommands Commands { get; }
}
