using System.Buffers.Binary;
using Mixnode.Node.Forwarding;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>Packets whose 4-byte buffer carries an id, so a test can follow each one through a mixer.</summary>
internal static class MixerPackets
{
    public static OutgoingPacket Make(int id, long receivedTimestamp, long dueTimestamp)
    {
        byte[] buffer = new byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, id);
        return new OutgoingPacket(buffer, default(Bytes32), receivedTimestamp, dueTimestamp);
    }

    /// <summary>A packet received now, due <paramref name="delay"/> from now.</summary>
    public static OutgoingPacket Make(int id, TimeProvider time, TimeSpan delay)
    {
        long now = time.GetTimestamp();
        return Make(id, now, now + Ticks(time, delay));
    }

    public static int Id(in OutgoingPacket packet) => BinaryPrimitives.ReadInt32LittleEndian(packet.Buffer);

    /// <summary><paramref name="span"/> in <see cref="TimeProvider.GetTimestamp"/> units, exactly (a fake clock counts 100 ns ticks).</summary>
    public static long Ticks(TimeProvider time, TimeSpan span) =>
        (long)((Int128)span.Ticks * time.TimestampFrequency / TimeSpan.TicksPerSecond);
}
