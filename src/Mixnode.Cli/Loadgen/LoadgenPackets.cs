using System.Diagnostics;
using Mixnode.Client;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// Every client's packets, one per slot of its plan, and the epoch whose mix keys each was built with. Built once
/// before the run (<see cref="BuildAll"/>); with --authorities, rebuilt during it from each new consensus
/// (<see cref="Rebuild"/>) for the slots due in the epochs that document covers, so that packets sent in epoch E
/// carry E's keys and E's routes. A slot keeps its message (sender, sequence), so a message counts the same whichever
/// document it was built with. The pacer reads a slot's packet once, when it is due; a rebuild replaces packets of
/// later slots, each write atomic, so the pacer sends either the old packet or the new one, never half of one.
/// </summary>
internal sealed class LoadgenPackets
{
    /// <summary>Slots due sooner than this are left alone by a rebuild: the pacer may be about to take them.</summary>
    public static readonly TimeSpan RebuildMargin = TimeSpan.FromMilliseconds(250);

    private readonly LoadgenSlot[][] _slots;
    private readonly Bytes32[] _ids;
    private readonly LoopMarker[] _markers;
    private readonly Bytes32[] _providerIds;
    private readonly Guid _runId;
    private long _rebuilt;

    /// <param name="slots">Per client, its plan's slots.</param>
    /// <param name="ids">Per client, its mailbox id.</param>
    /// <param name="markers">Per client, the marker of its loops.</param>
    /// <param name="providerIds">Per client, its provider's descriptor id.</param>
    /// <param name="runId">Written into every message, so that an earlier run's leftovers are told apart.</param>
    public LoadgenPackets(LoadgenSlot[][] slots, Bytes32[] ids, LoopMarker[] markers, Bytes32[] providerIds, Guid runId)
    {
        _slots = slots;
        _ids = ids;
        _markers = markers;
        _providerIds = providerIds;
        _runId = runId;
        Packets = [.. slots.Select(s => new ForwardPacket[s.Length])];
        KeyEpochs = [.. slots.Select(s => new long[s.Length])];
    }

    /// <summary>Per client, the packet of each slot (the pacer's array; replaced slot by slot during a rebuild).</summary>
    public ForwardPacket[][] Packets { get; }

    /// <summary>Per client, the epoch whose mix keys each slot's packet was built with.</summary>
    public long[][] KeyEpochs { get; }

    /// <summary>Packets rebuilt since the run began.</summary>
    public long Rebuilt => Interlocked.Read(ref _rebuilt);

    /// <summary>
    /// Whether a slot due in <paramref name="dueEpoch"/>, built with <paramref name="keyEpoch"/>'s keys, is rebuilt
    /// from a document for <paramref name="documentEpoch"/> covering <paramref name="covered"/>: only slots the document
    /// may be used for; those due in the document's own epoch when <paramref name="refreshOwnEpoch"/> (its routes and
    /// keys are the ones to send with then), and any whose keys the nodes would no longer accept (they take the
    /// previous, current and next epoch's).
    /// </summary>
    public static bool NeedsRebuild(long dueEpoch, long keyEpoch, long documentEpoch, EpochRange covered, bool refreshOwnEpoch)
    {
        if (dueEpoch < documentEpoch || !covered.Contains(dueEpoch))
        {
            return false;
        }

        return (refreshOwnEpoch && dueEpoch == documentEpoch) || Math.Abs(dueEpoch - keyEpoch) > 1;
    }

    /// <summary>Builds every slot's packet with <paramref name="topology"/> and the keys of <paramref name="epoch"/>, on every core.</summary>
    public void BuildAll(NetworkTopology topology, long epoch, CancellationToken cancellationToken)
    {
        NodeDescriptor[] providers = [.. _providerIds.Select(id => Provider(topology, id) ?? throw new ClientException("a client's provider is not in the network document"))];
        Parallel.For(0, _slots.Length, new ParallelOptions { CancellationToken = cancellationToken }, c =>
        {
            var builder = new PacketBuilder(topology, TimeProvider.System) { FixedEpoch = epoch };
            for (int i = 0; i < _slots[c].Length; i++)
            {
                Packets[c][i] = Build(builder, providers, c, _slots[c][i])!;
                KeyEpochs[c][i] = epoch;
            }
        });
    }

    /// <summary>
    /// Rebuilds, with <paramref name="topology"/>, the packets of the slots <see cref="NeedsRebuild"/> picks, soonest
    /// first, on the calling thread; slots due before <paramref name="notBefore"/> (run time) are left as they are.
    /// A client whose provider, or a message whose recipient's provider, is not in the document keeps its packet.
    /// Returns how many were rebuilt.
    /// </summary>
    /// <param name="runStart">When the run's time 0 was, on the document's clock.</param>
    public int Rebuild(NetworkTopology topology, DateTimeOffset runStart, TimeSpan notBefore, bool refreshOwnEpoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var clock = new EpochClock(TimeProvider.System, topology.EpochPeriod);
        NodeDescriptor?[] providers = [.. _providerIds.Select(id => Provider(topology, id))];
        var due = new List<(double Seconds, int Client, int Index, long Epoch)>();
        for (int c = 0; c < _slots.Length; c++)
        {
            if (providers[c] is null)
            {
                continue;
            }

            for (int i = 0; i < _slots[c].Length; i++)
            {
                double seconds = _slots[c][i].Seconds;
                if (seconds < notBefore.TotalSeconds)
                {
                    continue;
                }

                long dueEpoch = clock.EpochAt(runStart + TimeSpan.FromSeconds(seconds));
                if (NeedsRebuild(dueEpoch, Volatile.Read(ref KeyEpochs[c][i]), topology.Document.Epoch, topology.EpochsCovered, refreshOwnEpoch))
                {
                    due.Add((seconds, c, i, dueEpoch));
                }
            }
        }

        due.Sort((a, b) => a.Seconds.CompareTo(b.Seconds));
        var builders = new Dictionary<long, PacketBuilder>();
        int rebuilt = 0;
        foreach ((_, int client, int index, long epoch) in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!builders.TryGetValue(epoch, out PacketBuilder? builder))
            {
                builder = new PacketBuilder(topology, TimeProvider.System) { FixedEpoch = epoch };
                builders[epoch] = builder;
            }

            ForwardPacket? packet = Build(builder, providers, client, _slots[client][index]);
            if (packet is null)
            {
                continue;
            }

            Volatile.Write(ref Packets[client][index], packet);
            Volatile.Write(ref KeyEpochs[client][index], epoch);
            rebuilt++;
        }

        Interlocked.Add(ref _rebuilt, rebuilt);
        return rebuilt;
    }

    private static NodeDescriptor? Provider(NetworkTopology topology, Bytes32 id) =>
        topology.TryGetNode(id, out NodeDescriptor? node) && node.Role == NodeRole.Provider ? node : null;

    /// <summary>
    /// One slot's packet: a message to another client drawn uniformly (its mailbox: the key's public half), to itself
    /// only when it is the only client; a drop to a random provider; a loop back to the sender's own mailbox. Null when
    /// the recipient's provider is not in <paramref name="providers"/>.
    /// </summary>
    private ForwardPacket? Build(PacketBuilder builder, NodeDescriptor?[] providers, int sender, LoadgenSlot slot)
    {
        NodeDescriptor own = providers[sender]!;
        switch (slot.Kind)
        {
            case LoadgenPacketKind.Drop:
                return builder.CreateDrop(own);
            case LoadgenPacketKind.Loop:
                return builder.CreateLoop(own, _ids[sender].AsReadOnlySpan(), _markers[sender]);
            default:
                int recipient = LoadgenRunner.OtherClient(sender, _ids.Length);
                if (providers[recipient] is not { } theirs)
                {
                    return null;
                }

                long scheduledTicks = (long)(slot.Seconds * Stopwatch.Frequency);
                RoutePlan plan = builder.PlanRoute(own, theirs);
                var message = new LoadgenMessage(_runId, sender, slot.Sequence, scheduledTicks, plan.TotalDelayMs, recipient);
                return builder.CreateForward(plan, _ids[recipient].AsReadOnlySpan(), message.ToBytes());
        }
    }
}
