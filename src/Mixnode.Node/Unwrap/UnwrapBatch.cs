using Mixnode.Node.Mixing;
using Mixnode.Sphinx;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// One crypto worker's scratch for <see cref="PacketProcessor.ProcessBatch"/>: the packets it took off the queue
/// together and what unwrapping them gave. Reused for every batch, so batching allocates nothing per packet.
/// </summary>
internal sealed class UnwrapBatch
{
    public IngressPacket[] Packets { get; } = new IngressPacket[SphinxUnwrapper.MaxBatch];

    public Memory<byte>[] Buffers { get; } = new Memory<byte>[SphinxUnwrapper.MaxBatch];

    public UnwrapResult[] Results { get; } = new UnwrapResult[SphinxUnwrapper.MaxBatch];

    public UnwrappedPacket[] Unwrapped { get; } = new UnwrappedPacket[SphinxUnwrapper.MaxBatch];

    /// <summary>Packet i's blinding factor at i × 32 (secret: zeroed after each batch; pinned so the GC leaves no copy).</summary>
    public byte[] BlindingFactors { get; } = GC.AllocateArray<byte>(SphinxUnwrapper.MaxBatch * SphinxUnwrapper.BlindingFactorLength, pinned: true);

    /// <summary>For the re-blinding batches this worker runs (<see cref="ReBlinder.Add"/>).</summary>
    public ReBlinder.Scratch ReBlind { get; } = new();

    /// <summary>Which packets <see cref="PacketProcessor"/> already re-blinded with the batch (cleared after each batch).</summary>
    public bool[] ReBlinded { get; } = new bool[SphinxUnwrapper.MaxBatch];

    public int Count { get; set; }

    /// <summary>Drops the references to packet buffers (they went back to the pool or on to the next stage).</summary>
    public void Clear()
    {
        Array.Clear(Packets, 0, Count);
        Array.Clear(Buffers, 0, Count);
        Count = 0;
    }
}
