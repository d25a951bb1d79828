using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Node.Clients;
using Mixnode.Node.Cover;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Node.Keys;
using Mixnode.Node.Ingress;
using Mixnode.Node.Links;
using Mixnode.Node.Mixing;
using Mixnode.Node.Unwrap;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Topology;
using Mixnode.Node.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Hosting;

/// <summary>
/// The running relay. Start order follows the packet backwards, so nothing is accepted before the stage
/// after it exists: replay filters, outbound pool (links to the next layer come up now), mixer, workers, the
/// listener, then the node's own loops. Stop order follows it forwards: loops, listener, workers (finishing what is
/// queued), mixer, outbound, filters.
/// </summary>
internal sealed class NodeService : IHostedService, IAsyncDisposable
{

    private readonly NodeOptions _options;
    private readonly NodeKeyStore _keyStore;
    private readonly MixKeyRing _keys;
    private readonly TopologyProvider _topology;
    private readonly IDeliverySink _sink;
    private readonly NodeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeService> _logger;
    private readonly SphinxGeometry _geometry;
    private X25519PrivateKey? _linkKey;
    private ReplayFilterSet? _replay;
    private OutboundPool? _outbound;
    private IMixer? _mixer;
    private PacketProcessor? _processor;
    private LoopSender? _loopSender;
    private Bytes32 _ownId;
    private IngressQueue? _ingress;
    private CryptoWorkerPool? _workers;
    private LinkListener? _listener;
    private LinkListener? _clientListener;
    private readonly List<ITimer> _retirements = [];

    public NodeService(IOptions<NodeOptions> options, NodeKeyStore keyStore, MixKeyRing keys, TopologyProvider topology, IDeliverySink sink, NodeMetrics metrics, TimeProvider time, ILogger<NodeService> logger)
    {
        _options = options.Value;
        _keyStore = keyStore;
        _keys = keys;
        _topology = topology;
        _sink = sink;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _geometry = NodeOptionsValidator.ResolveGeometry(_options.Geometry)!;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _linkKey = _keyStore.LoadLinkKey();
        var framing = WireFraming.ForMixLink(_geometry);
        var settings = LinkSessionSettings.From(_options.Links, framing);
        Func<NetworkTopology> topology = () => _topology.Current;

        _replay = new ReplayFilterSet(_options.StateDirectory, new ReplayFilterOptions { Capacity = _options.ReplayFilterCapacity, FlushInterval = _options.ReplayFlushInterval }, _time);
        foreach (MixKey key in _keys.TryOrder)
        {
            _replay.Prepare(key.Epoch);
        }

        _keys.KeyRetired += OnKeyRetired;
        NetworkTopology network = _topology.Current;
        _ownId = NodeDescriptor.ComputeId(_keyStore.IdentityPublicKey().AsReadOnlySpan());
        network.TryGetNode(_ownId, out NodeDescriptor? self);
        bool provider = self?.Role == NodeRole.Provider;
        _outbound = new OutboundPool(topology, _linkKey, settings, _options.Links, _metrics, _logger, _time);
        _topology.Changed += OnTopologyChanged;
        var reBlinder = new ReBlinder(_time);
        (MixingStrategy strategy, PoolParameters? pool) = NodeOptionsValidator.ResolveMixing(_options.Mixing, network.Mixing);
        _mixer = MixerFactory.Create(strategy, pool, _options.DelayQueueCapacity, _options.ReleaseQuantum, _time, _outbound, _metrics, reBlinder);
        _ingress = new IngressQueue(_options.IngressQueueCapacity, _metrics);
        IngressQueue ingress = _ingress;
        int packetLength = _geometry.PacketLength;
        EchoService? echo = provider ? new EchoService(_geometry, _ownId, (packet, now) => ingress.Enqueue(new IngressPacket(packet, packetLength, now)), _outbound, _time) : null;
        var loops = new LoopTracker(_metrics);
        _processor = new PacketProcessor(_geometry, _keys, _replay, _mixer, _sink, _metrics, _time, MaxDelay(network), echo, reBlinder, acceptsDeliveries: provider, loops: loops);
        _workers = new CryptoWorkerPool(_ingress, _processor, _metrics, _logger);
        int workers = _options.Workers > 0 ? _options.Workers : Environment.ProcessorCount;
        _workers.Start(workers);

        NodeOptionsValidator.TryParseEndPoint(_options.ListenAddress, out IPEndPoint endPoint);
        _listener = new LinkListener(endPoint, _linkKey, key => _topology.Current.TryGetNodeByLinkKey(key.Span, out _), settings, _options.Links, new InboundCommandHandler(_ingress, _time, _geometry.PacketLength), _metrics, _logger, _time);
        _listener.Start();
        if (_options.ClientListenAddress.Length > 0)
        {
            StartClientListener(ingress);
        }

        // Links to the next layer now, not on first use (see OutboundPeer.KeepUp); then the loops that keep them busy.
        KeepNextHopsUp(network);
        _loopSender = new LoopSender(topology, _ownId, _mixer, loops, _metrics, _logger, _time, _options.Mixing.LoopRatePerSecond);
        _loopSender.Start();

        NodeLog.Listening(_logger, _options.Name, workers, _geometry.PacketLength, Sphinx.Crypto.X25519.BackendName, Sphinx.SphinxUnwrapper.BatchStatus);
        NodeLog.Mixing(_logger, strategy.ToName(), _loopSender.RatePerSecond);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_linkKey is null)
        {
            return;
        }

        _loopSender?.Dispose();
        _loopSender = null;
        if (_clientListener is not null)
        {
            await _clientListener.DisposeAsync().ConfigureAwait(false);
            _clientListener = null;
        }

        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
            _listener = null;
        }

        if (_workers is not null)
        {
            await _workers.StopAsync().ConfigureAwait(false);
            _workers = null;
        }

        if (_mixer is not null)
        {
            foreach (OutgoingPacket held in _mixer.Drain())
            {
                _metrics.PacketDropped(DropReason.Overload);
                PacketBuffers.Return(held.Buffer);
            }

            _mixer.Dispose();
            _mixer = null;
        }

        _processor = null;
        if (_outbound is not null)
        {
            _topology.Changed -= OnTopologyChanged;
            await _outbound.DisposeAsync().ConfigureAwait(false);
            _outbound = null;
        }

        _keys.KeyRetired -= OnKeyRetired;
        lock (_retirements)
        {
            foreach (ITimer timer in _retirements)
            {
                timer.Dispose();
            }

            _retirements.Clear();
        }

        _replay?.Dispose();
        _replay = null;
        _linkKey?.Dispose();
        _linkKey = null;
        NodeLog.Stopped(_logger, _options.Name);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Client links: any static key (it is the client's mailbox id), the client framing and prologue, rate limits.</summary>
    private void StartClientListener(IngressQueue ingress)
    {
        WireFraming framing = ClientLinkProtocol.Framing(_geometry);
        var settings = LinkSessionSettings.From(_options.Links, framing) with { Prologue = ClientLinkProtocol.Prologue(framing) };
        var handler = new ClientCommandHandler(ingress, _sink as MailboxDeliverySink, _options.Clients, framing, _metrics, _time);
        NodeOptionsValidator.TryParseEndPoint(_options.ClientListenAddress, out IPEndPoint endPoint);
        _clientListener = new LinkListener(endPoint, _linkKey!, static _ => true, settings, _options.Links, handler, _metrics, _logger, _time);
        _clientListener.Start();
    }

    /// <summary>The delay cap: the network's (20 × its mean delay), within the operator's own bound.</summary>
    private TimeSpan MaxDelay(NetworkTopology network) =>
        TimeSpan.FromMilliseconds(Math.Min(_options.MaxNodeDelay.TotalMilliseconds, network.Mixing.MaxDelayMs));

    private void OnTopologyChanged(NetworkTopology network)
    {
        _outbound?.OnTopologyChanged(network);
        _processor?.UpdateMaxDelay(MaxDelay(network));
        KeepNextHopsUp(network);
    }

    private void KeepNextHopsUp(NetworkTopology network)
    {
        if (_outbound is not null && network.TryGetNode(_ownId, out NodeDescriptor? self))
        {
            _outbound.KeepUp(network.NextHopsOf(self).Select(n => n.Id).Where(id => id != _ownId));
        }
    }

    private void OnKeyRetired(long epoch)
    {
        // Workers may still hold the retired key for its grace period; the filter goes with it.
        ReplayFilterSet? replay = _replay;
        if (replay is not null)
        {
            lock (_retirements)
            {
                // Kept referenced: an unreferenced timer may be collected before it fires.
                _retirements.Add(_time.CreateTimer(static state => ((Action)state!)(), (Action)(() => replay.Discard(epoch)), _keys.RetireGrace, Timeout.InfiniteTimeSpan));
            }
        }
    }
}
