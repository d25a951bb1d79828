using Mixnode.Node.Forwarding;

namespace Mixnode.Node.Mixing;

/// <summary>
/// The mix stage: holds unwrapped packets and lets them leave, reordered, toward <see cref="IPacketForwarder"/>.
/// Bounded: a full mixer refuses (the caller counts the drop). The strategy is the network's (<see cref="MixerFactory"/>).
/// </summary>
internal interface IMixer : IDisposable
{
    /// <summary>
    /// Whether the per-hop delay a sender chose decides when its packet leaves. A pool ignores delays (its clients put
    /// 0); the unwrap stage then neither checks them against the cap nor defers re-blinding for them.
    /// </summary>
    bool HonoursDelays { get; }

    /// <summary>Packets held now.</summary>
    int Count { get; }

    /// <summary>Takes the packet (it may leave at once); false, with nothing taken, when full or stopped.</summary>
    bool TryEnqueue(in OutgoingPacket packet);

    /// <summary>Shutdown: stops releasing and takes everything still held (the caller returns the buffers).</summary>
    List<OutgoingPacket> Drain();
}
