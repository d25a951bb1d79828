using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Node.Clients;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Node.Keys;
using Mixnode.Node.Links;
using Mixnode.Node.Mixing;
using Mixnode.Node.Processing;
using Mixnode.Node.Processing.Replay;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Topology;
using Mixnode.Node.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Hosting;

/// <summary>
/// The running relay. Start order follows the packet backwards, so nothing is accepted before the stage
/// after it exists: replay filters, outbound pool, delay queue, workers, then the listener. Stop order
/// follows it forwards: listener, workers (finishing what is queued), delay queue, outbound, filters.
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
    private DelayQueue? _delays;
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
        _outbound = new OutboundPool(topology, _linkKey, settings, _options.Links, _metrics, _logger, _time);
        _topology.Changed += _outbound.OnTopologyChanged;
        var reBlinder = new ReBlinder(_time);
        _delays = new DelayQueue(_options.DelayQueueCapacity, _time, _outbound, _metrics, earlyRelease: TimeSpan.FromMilliseconds(2), releaseQuantum: _options.ReleaseQuantum, reBlinder: reBlinder);
        _ingress = new IngressQueue(_options.IngressQueueCapacity, _metrics);
        Bytes32 ownId = NodeDescriptor.ComputeId(_keyStore.IdentityPublicKey().AsReadOnlySpan());
        bool provider = _topology.Current.TryGetNode(ownId, out NodeDescriptor? self) && self.Role == NodeRole.Provider;
        IngressQueue ingress = _ingress;
        EchoService? echo = provider ? new EchoService(_geometry, ownId, packet => ingress.Enqueue(packet), _outbound, _time) : null;
        var processor = new PacketProcessor(_geometry, _keys, _replay, _delays, _sink, _metrics, _time, _options.MaxNodeDelay, echo, reBlinder);
        _workers = new CryptoWorkerPool(_ingress, processor, _metrics, _logger);
        int workers = _options.Workers > 0 ? _options.Workers : Environment.ProcessorCount;
        _workers.Start(workers);

        NodeOptionsValidator.TryParseEndPoint(_options.ListenAddress, out IPEndPoint endPoint);
        _listener = new LinkListener(endPoint, _linkKey, key => _topology.Current.TryGetNodeByLinkKey(key.Span, out _), settings, _options.Links, new InboundCommandHandler(_ingress, _time, _geometry.PacketLength), _metrics, _logger, _time);
        _listener.Start();
        if (_options.ClientListenAddress.Length > 0)
        {
            StartClientListener(ingress);
        }

        NodeLog.Listening(_logger, _options.Name, workers, _geometry.PacketLength, Sphinx.Crypto.X25519.BackendName, Sphinx.SphinxUnwrapper.BatchStatus);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_linkKey is null)
        {
            return;
        }

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

        if (_delays is not null)
        {
            foreach (ScheduledPacket held in _delays.Drain())
            {
                _metrics.PacketDropped(DropReason.Overload);
                PacketBuffers.Return(held.Buffer);
            }

            _delays.Dispose();
            _delays = null;
        }

        if (_outbound is not null)
        {
            _topology.Changed -= _outbound.OnTopologyChanged;
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
