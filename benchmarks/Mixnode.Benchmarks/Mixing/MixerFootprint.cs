using Mixnode.Node.Forwarding;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Benchmarks.Mixing;

/// <summary>
/// What a mixer holds per packet beyond the packet's buffer: live heap after filling a fresh mixer with
/// <see cref="MixerBenchmarks.Held"/> packets that all share one buffer, minus live heap before it was made, divided by
/// the packets. Includes the slack of its last array doubling (it is memory the mixer holds), not the garbage of earlier ones.
/// </summary>
internal static class MixerFootprint
{
    public static double BytesPerHeldPacket(bool pool)
    {
        var clock = new ManualClock();
        var forwarder = new NullForwarder();
        var metrics = new NodeMetrics(new PlainMeterFactory());
        byte[] buffer = new byte[MixerBenchmarks.PacketLength];

        long before = GC.GetTotalMemory(forceFullCollection: true);
        IMixer mixer = pool
            ? new TimedPoolMixer(new PoolParameters(TimeSpan.FromHours(1), 0, 0, 1), MixerBenchmarks.Capacity, clock, forwarder, metrics)
            : new StopAndGoMixer(MixerBenchmarks.Capacity, clock, forwarder, metrics);
        for (int i = 0; i < MixerBenchmarks.Held; i++)
        {
            if (!mixer.TryEnqueue(new OutgoingPacket(buffer, default, 0, 1 + (i * 7919 % MixerBenchmarks.Held))))
            {
                throw new InvalidOperationException("the mixer refused a packet while filling");
            }
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(mixer);
        GC.KeepAlive(buffer);
        mixer.Dispose();
        return (after - before) / (double)MixerBenchmarks.Held;
    }
}
