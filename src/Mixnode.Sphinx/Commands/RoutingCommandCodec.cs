using System.Buffers.Binary;

namespace Mixnode.Sphinx.Commands;

/// <summary>
/// Encodes and parses the commands of one hop's routing block. Parsing follows Katzenpost: commands until
/// a null tag or the end of the block; the null's remainder must be zero. Stricter than Katzenpost in one
/// place: a second Recipient or NodeDelay is an error too (Katzenpost would pass both on), since a hop
/// cannot act on two of either and a well-formed creator never writes them.
/// </summary>
public static class RoutingCommandCodec
{
    public const int NextNodeHopLength = 1 + SphinxGeometry.NodeIdLength + SphinxGeometry.MacLength;
    public const int RecipientLength = 1 + 32;
    public const int SurbReplyLength = 1 + SphinxGeometry.SurbIdLength;
    public const int NodeDelayLength = 1 + 4;

    /// <summary>Parses a routing block (normally 82 bytes) without allocating.</summary>
    public static CommandParseResult TryParse(ReadOnlySpan<byte> block, out RoutingCommands commands)
    {
        commands = default;
        int at = 0;
        while (at < block.Length)
        {
            var tag = (RoutingCommandTag)block[at];
            ReadOnlySpan<byte> rest = block[(at + 1)..];
            switch (tag)
            {
                case RoutingCommandTag.Null:
                    return rest.ContainsAnyExcept((byte)0) ? CommandParseResult.NonZeroPadding : CommandParseResult.Ok;

                case RoutingCommandTag.NextNodeHop:
                    if (commands.HasNextNodeHop)
                    {
                        return CommandParseResult.DuplicateCommand;
                    }

                    if (rest.Length < NextNodeHopLength - 1)
                    {
                        return CommandParseResult.Truncated;
                    }

                    commands.SetNextNodeHop(rest[..SphinxGeometry.NodeIdLength], rest.Slice(SphinxGeometry.NodeIdLength, SphinxGeometry.MacLength));
                    at += NextNodeHopLength;
                    break;

                case RoutingCommandTag.Recipient:
                    if (commands.HasRecipient)
                    {
                        return CommandParseResult.DuplicateCommand;
                    }

                    if (rest.Length < RecipientLength - 1)
                    {
                        return CommandParseResult.Truncated;
                    }

                    commands.SetRecipient(rest[..(RecipientLength - 1)]);
                    at += RecipientLength;
                    break;

                case RoutingCommandTag.SurbReply:
                    if (commands.HasSurbReply)
                    {
                        return CommandParseResult.DuplicateCommand;
                    }

                    if (rest.Length < SurbReplyLength - 1)
                    {
                        return CommandParseResult.Truncated;
                    }

                    commands.SetSurbReply(rest[..(SurbReplyLength - 1)]);
                    at += SurbReplyLength;
                    break;

                case RoutingCommandTag.NodeDelay:
                    if (commands.HasNodeDelay)
                    {
                        return CommandParseResult.DuplicateCommand;
                    }

                    if (rest.Length < NodeDelayLength - 1)
                    {
                        return CommandParseResult.Truncated;
                    }

                    commands.SetNodeDelay(BinaryPrimitives.ReadUInt32BigEndian(rest));
                    at += NodeDelayLength;
                    break;

                default:
                    return CommandParseResult.UnknownCommand;
            }
        }

        return CommandParseResult.Ok;
    }

    /// <summary>
    /// Writes the commands as a creator does: user commands first (NodeDelay, Recipient, SURBReply), then
    /// NextNodeHop, then zero padding to the end of <paramref name="block"/>. Returns false when they do not fit.
    /// </summary>
    public static bool TryEncode(in RoutingCommands commands, Span<byte> block)
    {
        if (commands.EncodedLength > block.Length)
        {
            return false;
        }

        int at = 0;
        if (commands.HasNodeDelay)
        {
            block[at] = (byte)RoutingCommandTag.NodeDelay;
            BinaryPrimitives.WriteUInt32BigEndian(block[(at + 1)..], commands.NodeDelayMs);
            at += NodeDelayLength;
        }

        if (commands.HasRecipient)
        {
            block[at] = (byte)RoutingCommandTag.Recipient;
            commands.RecipientId.AsReadOnlySpan().CopyTo(block[(at + 1)..]);
            at += RecipientLength;
        }

        if (commands.HasSurbReply)
        {
            block[at] = (byte)RoutingCommandTag.SurbReply;
            commands.SurbId.AsReadOnlySpan().CopyTo(block[(at + 1)..]);
            at += SurbReplyLength;
        }

        if (commands.HasNextNodeHop)
        {
            block[at] = (byte)RoutingCommandTag.NextNodeHop;
            commands.NextNodeId.AsReadOnlySpan().CopyTo(block[(at + 1)..]);
            commands.NextNodeMac.AsReadOnlySpan().CopyTo(block[(at + 1 + SphinxGeometry.NodeIdLength)..]);
            at += NextNodeHopLength;
        }

        block[at..].Clear();
        return true;
    }
}
