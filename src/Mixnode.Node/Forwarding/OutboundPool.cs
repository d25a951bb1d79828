using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Mixnode.Links;
using Mixnode.Node.Telemetry;
using Mixnode.Pki;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Forwarding;

/// <summary>
/// Routes each packet whose delay is over to the <see cref="OutboundPeer"/> of its next hop. A next hop that
/// the current topology does not list is dropped (reason no_route) before anything is queued; when the topology
/// changes, peers that left it are closed, and so are links to peers it lists under another link key or address.
/// </summary>
internal sealed class OutboundPool : IPacketForwarder, IAsyncDisposable
{
    private readonly ConcurrentDictionary<Bytes32, OutboundPeer> _peers = new();
    private readonly Func<NetworkTopology> _topology;
    private readonly X25519PrivateKey _linkKey;
    private readonly LinkSessionSettings _settings;
    private readonly LinkOptions _options;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int _packetLength;
    private volatile bool _stopped;

    public OutboundPool(Func<NetworkTopology> topology, X25519PrivateKey linkKey, LinkSessionSettings settings, LinkOptions options, NodeMetrics metrics, ILogger logger, TimeProvider time)
    {
        _topology = topology;
        _linkKey = linkKey;
        _settings = settings;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _packetLength = settings.Framing.PacketLength;
        metrics.ObserveQueueDepth("outbound", () => QueuedPackets);
    }

    public void Forward(in OutgoingPacket packet)
    {
        if (_stopped || !_topology().TryGetNode(packet.NextNodeId, out _))
        {
            _metrics.PacketDropped(_stopped ? DropReason.Overload : DropReason.NoRoute);
            PacketBuffers.Return(packet.Buffer);
            return;
        }

        if (!_peers.TryGetValue(packet.NextNodeId, out OutboundPeer? peer))
        {
            Bytes32 id = packet.NextNodeId;
            peer = _peers.GetOrAdd(id, key => new OutboundPeer(key, _topology, _linkKey, _settings, _options, _metrics, _logger, _time));
        }

        peer.Enqueue(packet.Buffer, _packetLength);
    }

    /// <summary>Whether the link to <paramref name="id"/> is established now.</summary>
    public bool IsConnected(Bytes32 id) => _peers.TryGetValue(id, out OutboundPeer? peer) && peer.IsConnected;

    /// <summary>Packets waiting to be written to any link.</summary>
    public long QueuedPackets => _peers.Values.Sum(p => (long)p.QueueLength);

    /// <summary>
    /// A node's drain: every link writes out its queue, tells its peer and closes, within <paramref name="timeout"/>;
    /// packets for a peer that stays down meanwhile are dropped at disposal (reason peer_down).
    /// </summary>
    public Task CompleteAsync(TimeSpan timeout) => Task.WhenAll(_peers.Values.Select(p => p.CompleteAsync(timeout)));

    /// <summary>Opens links to <paramref name="ids"/> now and keeps them up (see <see cref="OutboundPeer.KeepUp"/>).</summary>
    public void KeepUp(IEnumerable<Bytes32> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        NetworkTopology topology = _topology();
        foreach (Bytes32 id in ids)
        {
            if (_stopped || !topology.TryGetNode(id, out _))
            {
                continue;
            }

            _peers.GetOrAdd(id, key => new OutboundPeer(key, _topology, _linkKey, _settings, _options, _metrics, _logger, _time)).KeepUp();
        }
    }

    /// <summary>How long a peer that left the topology may take to write out what was already queued for it.</summary>
    public static readonly TimeSpan RemovedPeerDrain = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Closes the peers the new topology no longer lists (counted as <see cref="LinkCloseReason.RemovedFromTopology"/>),
    /// and the links to peers it lists under another link key or first address than the one dialled (counted as
    /// <see cref="LinkCloseReason.PeerChanged"/>): the old link would otherwise carry on to the old key until it
    /// dropped. What was queued for them may still leave within <see cref="RemovedPeerDrain"/>; the next packet for a
    /// changed peer opens a new link to its new key and address. Peers listed as before keep their links.
    /// </summary>
    public void OnTopologyChanged(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        foreach (KeyValuePair<Bytes32, OutboundPeer> entry in _peers)
        {
            LinkCloseReason? reason = !topology.TryGetNode(entry.Key, out NodeDescriptor? listed) ? LinkCloseReason.RemovedFromTopology
                : entry.Value.ListsOtherThanDialled(listed) ? LinkCloseReason.PeerChanged
                : null;

            // Only this instance: a peer made meanwhile for the new topology stays.
            if (reason is { } why && _peers.TryRemove(entry))
            {
                _ = entry.Value.RemoveAsync(RemovedPeerDrain, why);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopped = true;
        foreach (OutboundPeer peer in _peers.Values)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
        }

        _peers.Clear();
    }
}
