using Mixnode.Node.Forwarding;

namespace Mixnode.Benchmarks.Mixing;

/// <summary>Takes released packets and drops them (counting), so a benchmark measures the mixer and nothing after it.</summary>
internal sealed class NullForwarder : IPacketForwarder
{
    public long Forwarded { get; private set; }

    public void Forward(in OutgoingPacket packet) => Forwarded++;
}
