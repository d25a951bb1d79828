using System.Buffers;

namespace Mixnode.Node.Processing;

/// <summary>
/// Packet buffers for the whole path, socket to socket: rented when a packet comes off a link, returned
/// when it leaves (sent, delivered or dropped). The shared pool keeps them, so steady state allocates nothing.
/// </summary>
internal static class PacketBuffers
{
    public static byte[] Rent(int packetLength) => ArrayPool<byte>.Shared.Rent(packetLength);

    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}
