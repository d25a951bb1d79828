using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Fuzz;

/// <summary>
/// <see cref="RoutingCommandCodec.TryParse"/> on the input as one hop's routing block (any length; a node passes 82
/// bytes). The parser promises a result code for every input. Beyond that: what it accepts, the encoder writes
/// back into a block of the same length, and that block parses to the same commands.
/// </summary>
internal sealed class RoutingCommandsTarget : IFuzzTarget
{
    public string Name => "commands";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (RoutingCommandCodec.TryParse(input, out RoutingCommands commands) != CommandParseResult.Ok)
        {
            return;
        }

        byte[] block = new byte[Math.Max(input.Length, SphinxGeometry.PerHopRoutingInfoLength)];
        if (!RoutingCommandCodec.TryEncode(commands, block))
        {
            throw new InvariantViolatedException($"parsed commands ({commands}) do not encode into {block.Length} bytes");
        }

        CommandParseResult again = RoutingCommandCodec.TryParse(block, out RoutingCommands reparsed);
        if (again != CommandParseResult.Ok || reparsed != commands)
        {
            throw new InvariantViolatedException($"re-encoded commands parse as {again} ({reparsed}), not as the original ({commands})");
        }
    }
}
