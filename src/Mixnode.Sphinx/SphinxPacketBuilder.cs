using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx;

/// <summary>Creates forward packets (client side): a header for the route and the payload in AEZ layers.</summary>
public static class SphinxPacketBuilder
{
    /// <summary>
    /// Writes a packet that carries <paramref name="message"/> along <paramref name="path"/>.
    /// The message must be exactly <see cref="SphinxGeometry.ForwardPayloadLength"/> bytes (callers pad, as in
    /// Katzenpost); the packet buffer exactly <see cref="SphinxGeometry.PacketLength"/>. Send it to path[0].
    /// </summary>
    /// <exception cref="ArgumentException">A route, message or buffer that cannot make a valid packet.</exception>
    public static void CreatePacket(SphinxGeometry geometry, ReadOnlySpan<PathHop> path, ReadOnlySpan<byte> message, Span<byte> packet)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (message.Length != geometry.ForwardPayloadLength)
        {
            throw new ArgumentException($"the message must be exactly {geometry.ForwardPayloadLength} bytes (pad it), got {message.Length}", nameof(message));
        }

        if (packet.Length != geometry.PacketLength)
        {
            throw new ArgumentException($"the packet buffer must be {geometry.PacketLength} bytes, got {packet.Length}", nameof(packet));
        }

        byte[] hopKeys = GC.AllocateArray<byte>(path.Length * SphinxHeaderBuilder.HopPayloadKeyLength, pinned: true);
        try
        {
            SphinxHeaderBuilder.Build(geometry, path, packet[..geometry.HeaderLength], hopKeys);

            Span<byte> payload = packet[geometry.HeaderLength..];
            payload[..SphinxGeometry.PayloadTagLength].Clear();
            message.CopyTo(payload[SphinxGeometry.PayloadTagLength..]);
            for (int i = path.Length - 1; i >= 0; i--)
            {
                ReadOnlySpan<byte> hop = hopKeys.AsSpan(i * SphinxHeaderBuilder.HopPayloadKeyLength, SphinxHeaderBuilder.HopPayloadKeyLength);
                Aez.Encrypt(hop[..Aez.KeySize], hop[Aez.KeySize..], payload, payload);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hopKeys);
        }
    }
}
