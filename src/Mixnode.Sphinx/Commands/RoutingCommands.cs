namespace Mixnode.Sphinx.Commands;

/// <summary>
/// The commands of one hop, as a value: what a hop learns when it unwraps (next hop, delay, recipient,
/// SURB id), or, when creating a packet, the user commands a hop should receive. At most one of each kind.
/// </summary>
public struct RoutingCommands : IEquatable<RoutingCommands>
{
    private Bytes32 _nextNodeId;
    private Bytes32 _nextNodeMac;
    private Bytes32 _recipientId;
    private Bytes16 _surbId;

    public bool HasNextNodeHop { get; private set; }

    public bool HasRecipient { get; private set; }

    public bool HasSurbReply { get; private set; }

    public bool HasNodeDelay { get; private set; }

    public readonly Bytes32 NextNodeId => _nextNodeId;

    public readonly Bytes32 NextNodeMac => _nextNodeMac;

    public readonly Bytes32 RecipientId => _recipientId;

    public readonly Bytes16 SurbId => _surbId;

    /// <summary>Milliseconds the hop should hold the packet (NodeDelay), 0 when absent.</summary>
    public uint NodeDelayMs { get; private set; }

    /// <summary>True when this hop is not the last (it forwards to <see cref="NextNodeId"/>).</summary>
    public readonly bool IsForward => HasNextNodeHop;

    /// <summary>Bytes these commands take in a routing block (without the null terminator).</summary>
    public readonly int EncodedLength =>
        UserCommandsLength + (HasNextNodeHop ? RoutingCommandCodec.NextNodeHopLength : 0);

    /// <summary>Bytes of the user commands (everything but NextNodeHop).</summary>
    public readonly int UserCommandsLength =>
        (HasNodeDelay ? RoutingCommandCodec.NodeDelayLength : 0)
        + (HasRecipient ? RoutingCommandCodec.RecipientLength : 0)
        + (HasSurbReply ? RoutingCommandCodec.SurbReplyLength : 0);

    public static RoutingCommands Delay(uint milliseconds) => default(RoutingCommands).WithNodeDelay(milliseconds);

    public static RoutingCommands ToRecipient(ReadOnlySpan<byte> recipientId) => default(RoutingCommands).WithRecipient(recipientId);

    public readonly RoutingCommands WithNodeDelay(uint milliseconds)
    {
        RoutingCommands copy = this;
        copy.HasNodeDelay = true;
        copy.NodeDelayMs = milliseconds;
        return copy;
    }

    public readonly RoutingCommands WithRecipient(ReadOnlySpan<byte> recipientId)
    {
        RoutingCommands copy = this;
        copy.HasRecipient = true;
        copy._recipientId = Bytes32.From(recipientId);
        return copy;
    }

    public readonly RoutingCommands WithSurbReply(ReadOnlySpan<byte> surbId)
    {
        RoutingCommands copy = this;
        copy.HasSurbReply = true;
        copy._surbId = Bytes16.From(surbId);
        return copy;
    }

    public readonly RoutingCommands WithNextNodeHop(ReadOnlySpan<byte> nodeId, ReadOnlySpan<byte> mac)
    {
        RoutingCommands copy = this;
        copy.HasNextNodeHop = true;
        copy._nextNodeId = Bytes32.From(nodeId);
        copy._nextNodeMac = Bytes32.From(mac);
        return copy;
    }

    /// <summary>These commands without NextNodeHop: what a creator supplied for the hop.</summary>
    public readonly RoutingCommands WithoutNextNodeHop()
    {
        RoutingCommands copy = this;
        copy.HasNextNodeHop = false;
        copy._nextNodeId = default;
        copy._nextNodeMac = default;
        return copy;
    }

    public readonly bool Equals(RoutingCommands other) =>
        HasNextNodeHop == other.HasNextNodeHop
        && HasRecipient == other.HasRecipient
        && HasSurbReply == other.HasSurbReply
        && HasNodeDelay == other.HasNodeDelay
        && NodeDelayMs == other.NodeDelayMs
        && _nextNodeId.Equals(other._nextNodeId)
        && _nextNodeMac.Equals(other._nextNodeMac)
        && _recipientId.Equals(other._recipientId)
        && _surbId.Equals(other._surbId);

    public override readonly bool Equals(object? obj) => obj is RoutingCommands other && Equals(other);

    public override readonly int GetHashCode() =>
        HashCode.Combine(HasNextNodeHop, HasRecipient, HasSurbReply, NodeDelayMs, _nextNodeId, _recipientId, _surbId);

    /// <summary>A description for tools and tests. Never log it on a node: ids identify peers and users.</summary>
    public override readonly string ToString()
    {
        var parts = new List<string>(4);
        if (HasNodeDelay)
        {
            parts.Add($"NodeDelay({NodeDelayMs} ms)");
        }

        if (HasRecipient)
        {
            parts.Add($"Recipient({_recipientId})");
        }

        if (HasSurbReply)
        {
            parts.Add($"SURBReply({_surbId})");
        }

        if (HasNextNodeHop)
        {
            parts.Add($"NextNodeHop({_nextNodeId})");
        }

        return parts.Count == 0 ? "(none)" : string.Join(", ", parts);
    }

    public static bool operator ==(RoutingCommands left, RoutingCommands right) => left.Equals(right);

    public static bool operator !=(RoutingCommands left, RoutingCommands right) => !left.Equals(right);

    internal void SetNodeDelay(uint milliseconds)
    {
        HasNodeDelay = true;
        NodeDelayMs = milliseconds;
    }

    internal void SetRecipient(ReadOnlySpan<byte> id)
    {
        HasRecipient = true;
        id.CopyTo(_recipientId);
    }

    internal void SetSurbReply(ReadOnlySpan<byte> id)
    {
        HasSurbReply = true;
        id.CopyTo(_surbId);
    }

    internal void SetNextNodeHop(ReadOnlySpan<byte> id, ReadOnlySpan<byte> mac)
    {
        HasNextNodeHop = true;
        id.CopyTo(_nextNodeId);
        mac.CopyTo(_nextNodeMac);
    }
}
