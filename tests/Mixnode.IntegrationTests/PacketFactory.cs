using System.Security.Cryptography;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.IntegrationTests;

/// <summary>Builds Sphinx packets along a route of topology nodes, with the mix keys of one epoch.</summary>
internal static class PacketFactory
{
    public static (byte[] Packet, byte[] Message) Create(LocalNetwork network, long epoch, IReadOnlyList<string> route, byte[] recipient, uint delayMs)
    {
        SphinxGeometry geometry = network.Geometry;
        PathHop[] path = Path(network, epoch, route, RoutingCommands.ToRecipient(recipient), delayMs);
        byte[] message = RandomNumberGenerator.GetBytes(geometry.ForwardPayloadLength);
        byte[] packet = new byte[geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(geometry, path, message, packet);
        return (packet, message);
    }

    /// <summary>The hops of <paramref name="route"/>: NodeDelay on each but the last, which gets <paramref name="lastHop"/>.</summary>
    public static PathHop[] Path(LocalNetwork network, long epoch, IReadOnlyList<string> route, RoutingCommands lastHop, uint delayMs)
    {
        var path = new PathHop[route.Count];
        for (int i = 0; i < route.Count; i++)
        {
            NodeDescriptor node = network[route[i]];
            RoutingCommands commands = i == route.Count - 1 ? lastHop : RoutingCommands.Delay(delayMs);
            path[i] = new PathHop(node.Id.AsReadOnlySpan(), network.MixKey(route[i], epoch), commands);
        }

        return path;
    }
}
