using System.Buffers.Binary;
using System.Security.Cryptography;
using Mixnode.Node.Telemetry;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// This node's own loop cover packets (Loopix): the recipient id they end with, and how many were sent and came back
/// in each epoch. "Returned / sent" of an epoch is the node's view of the network's health: loops cross every layer,
/// so a mix that drops or delays packets shows up as loops that do not return. Aggregates only: never per path, hop
/// or peer (a per-path figure would tell whoever reads it which route a packet took).
/// </summary>
internal sealed class LoopTracker
{
    /// <summary>Epochs whose counts are kept (the current one and a few before it, for loops still under way).</summary>
    private const int EpochsKept = 4;

    private readonly NodeMetrics _metrics;
    private readonly Lock _lock = new();
    private readonly (long Epoch, long Sent, long Returned)[] _epochs = new (long, long, long)[EpochsKept];

    public LoopTracker(NodeMetrics metrics)
    {
        _metrics = metrics;

        // Secret and fresh per run: only this node ever learns a packet's last-hop commands, and no one else can make
        // a packet count as a returned loop without it.
        Span<byte> id = stackalloc byte[Bytes32.Size];
        RandomNumberGenerator.Fill(id);
        RecipientId = Bytes32.From(id);
        for (int i = 0; i < _epochs.Length; i++)
        {
            _epochs[i].Epoch = long.MinValue;
        }
    }

    /// <summary>The recipient id this node's loops are addressed to.</summary>
    public Bytes32 RecipientId { get; }

    /// <summary>Bytes of the loop payload that carry the sending epoch.</summary>
    public const int PayloadLength = sizeof(long);

    /// <summary>Writes what a loop carries home: the epoch it was sent in (so late returns count for that epoch).</summary>
    public static void WritePayload(Span<byte> payload, long epoch) => BinaryPrimitives.WriteInt64LittleEndian(payload, epoch);

    public void Sent(long epoch)
    {
        lock (_lock)
        {
            Slot(epoch).Sent++;
        }

        _metrics.LoopSent();
    }

    /// <summary>A loop came back; its payload names the epoch it was sent in.</summary>
    public void Returned(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < PayloadLength)
        {
            return;
        }

        long epoch = BinaryPrimitives.ReadInt64LittleEndian(payload);
        lock (_lock)
        {
            int index = IndexOf(epoch);
            if (index < 0)
            {
                // Older than the epochs kept: too late to count.
                return;
            }

            _epochs[index].Returned++;
        }

        _metrics.LoopReturned();
    }

    /// <summary>Sent and returned loops of <paramref name="epoch"/> (zeros when it is not kept).</summary>
    public (long Sent, long Returned) For(long epoch)
    {
        lock (_lock)
        {
            int index = IndexOf(epoch);
            return index < 0 ? (0, 0) : (_epochs[index].Sent, _epochs[index].Returned);
        }
    }

    /// <summary>Returned / sent for <paramref name="epoch"/>; NaN when none were sent.</summary>
    public double ReturnedRatio(long epoch)
    {
        (long sent, long returned) = For(epoch);
        return sent == 0 ? double.NaN : (double)returned / sent;
    }

    // Under the lock.
    private int IndexOf(long epoch)
    {
        int index = (int)(((epoch % EpochsKept) + EpochsKept) % EpochsKept);
        return _epochs[index].Epoch == epoch ? index : -1;
    }

    // Under the lock: the epoch's slot, reused from the oldest epoch when it is new.
    private ref (long Epoch, long Sent, long Returned) Slot(long epoch)
    {
        int index = (int)(((epoch % EpochsKept) + EpochsKept) % EpochsKept);
        ref var slot = ref _epochs[index];
        if (slot.Epoch != epoch)
        {
            slot = (epoch, 0, 0);
        }

        return ref slot;
    }
}
