using Mixnode.Node.Forwarding;
using Mixnode.Node.Mixing;

namespace Mixnode.Node.Tests.Support;

/// <summary>An <see cref="IPacketForwarder"/> that remembers each packet and the (fake) time it was forwarded at.</summary>
internal sealed class RecordingForwarder(TimeProvider time) : IPacketForwarder
{
    private readonly List<(OutgoingPacket Packet, DateTimeOffset At)> _forwarded = [];

    public IReadOnlyList<(OutgoingPacket Packet, DateTimeOffset At)> Forwarded
    {
        get
        {
            lock (_forwarded)
            {
                return [.. _forwarded];
            }
        }
    }

    public void Forward(in OutgoingPacket packet)
    {
        lock (_forwarded)
        {
            _forwarded.Add((packet, time.GetUtcNow()));
        }
    }
}
