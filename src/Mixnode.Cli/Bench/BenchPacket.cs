using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Bench;

/// <summary>A packet for a full-length route of the default geometry and the first hop's key, for measuring unwrap.</summary>
internal sealed class BenchPacket : IDisposable
{
    public BenchPacket(SphinxGeometry geometry)
    {
        Geometry = geometry;
        var keys = new X25519PrivateKey[geometry.NrHops];
        var path = new PathHop[geometry.NrHops];
        for (int i = 0; i < path.Length; i++)
        {
            keys[i] = X25519PrivateKey.Generate();
            byte[] id = new byte[SphinxGeometry.NodeIdLength];
            Random.Shared.NextBytes(id);
            RoutingCommands commands = i == path.Length - 1 ? RoutingCommands.ToRecipient(id) : RoutingCommands.Delay(50);
            path[i] = new PathHop(id, keys[i].PublicKey, commands);
        }

        Packet = new byte[geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(geometry, path, new byte[geometry.ForwardPayloadLength], Packet);
        FirstHopKey = keys[0];
        foreach (X25519PrivateKey other in keys.AsSpan(1))
        {
            other.Dispose();
        }
    }

    public SphinxGeometry Geometry { get; }

    /// <summary>The packet as the first hop receives it; unwrap a copy, since unwrap works in place.</summary>
    public byte[] Packet { get; }

    public X25519PrivateKey FirstHopKey { get; }

    public void Dispose() => FirstHopKey.Dispose();
}
