using Mixnode.Node.Forwarding;
using Mixnode.Node.Telemetry;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Mixing;

/// <summary>The network's strategy (or the operator's override, for tests) made into the node's mixer.</summary>
internal static class MixerFactory
{
    public static IMixer Create(MixingStrategy strategy, PoolParameters? pool, int capacity, TimeSpan releaseQuantum, TimeProvider time, IPacketForwarder forwarder, NodeMetrics metrics, IDepartureGate gate) =>
        strategy switch
        {
            MixingStrategy.Poisson => new StopAndGoMixer(capacity, time, forwarder, metrics, earlyRelease: TimeSpan.FromMilliseconds(2), releaseQuantum: releaseQuantum, gate: gate),
            MixingStrategy.TimedPool => new TimedPoolMixer(pool ?? PoolParameters.Default, capacity, time, forwarder, metrics, gate),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown mixing strategy"),
        };
}
