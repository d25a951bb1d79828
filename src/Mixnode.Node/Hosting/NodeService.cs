using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Node.Clients;
using Mixnode.Node.Cover;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Ingress;
using Mixnode.Links;
using Mixnode.Node.Mixing;
using Mixnode.Node.Unwrap;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Topology;
using Mixnode.Links.Wire;
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
    private readonly ITopologySource _topology;
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
    private MemberAddresses? _members;
    private readonly List<ITimer> _retirements = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _warmUp;
    private volatile bool _warm;
    private volatile bool _listening;

    public NodeService(IOptions<NodeOptions> options, NodeKeyStore keyStore, MixKeyRing keys, ITopologySource topology, IDeliverySink sink, NodeMetrics metrics, TimeProvider time, ILogger<NodeService> logger)
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
        var settings = _options.Links.SessionSettings(framing);
        Func<NetworkTopology> topology = () => _topology.Current;

        _replay = new ReplayFilterSet(_options.StateDirectory, _keyStore, new ReplayFilterOptions { Capacity = _options.ReplayFilterCapacity, FlushInterval = _options.ReplayFlushInterval }, _time,
            flushFailed: _metrics.ReplayFlushFailed, openFailed: (epoch, e) => { _metrics.ReplayFilterOpenFailed(); KeysLog.ReplayFilterUnavailable(_logger, epoch, e is ReplayFilterFileException f ? f.Error.ToString() : e.GetType().Name); });
        foreach (MixKey key in _keys.TryOrder)
        {
            _replay.Prepare(key.Epoch);
        }

        _keys.KeyRetired += OnKeyRetired;
        NetworkTopology network = _topology.Current;
        _ownId = NodeDescriptor.ComputeId(_keyStore.IdentityPublicKey().AsReadOnlySpan());
        NodeDescriptor self = CheckMembership(network);
        bool provider = self.Role == NodeRole.Provider;

        _outbound = new OutboundPool(topology, _linkKey, settings, _options.Links, _metrics, _logger, _time);
        _topology.Changed += OnTopologyChanged;
        var reBlinder = new ReBlinder(_time);
        (MixingStrategy strategy, PoolParameters? pool) = NodeOptionsValidator.ResolveMixing(_options.Mixing, network.Mixing);
        _mixer = MixerFactory.Create(strategy, pool, _options.DelayQueueCapacity, _options.ReleaseQuantum, _time, _outbound, _metrics, reBlinder);
        _ingress = new IngressQueue(_options.IngressQueueCapacity, _metrics, _options.Clients.IngressQueueCapacity);
        IngressQueue ingress = _ingress;
        int packetLength = _geometry.PacketLength;
        EchoService? echo = provider ? new EchoService(_geometry, _ownId, (packet, now) => ingress.Enqueue(new IngressPacket(packet, packetLength, now), IngressLane.Client), _outbound, _time, EchoBudget(), _metrics) : null;
        var loops = new LoopTracker(_metrics);
        _metrics.ObserveNode(() => Gauges(loops));
        _processor = new PacketProcessor(_geometry, _keys, _replay, _mixer, _sink, _metrics, _time, MaxDelay(network), echo, reBlinder, acceptsDeliveries: provider, loops: loops);
        _workers = new CryptoWorkerPool(_ingress, _processor, _metrics, _logger);
        int workers = _options.Workers > 0 ? _options.Workers : Environment.ProcessorCount;
        _workers.Start(workers);

        NodeOptionsValidator.TryParseEndPoint(_options.ListenAddress, out IPEndPoint endPoint);
        _members = new MemberAddresses(network);
        _listener = new LinkListener(endPoint, _linkKey, key => _topology.Current.TryGetNodeByLinkKey(key.Span, out _), settings, _options.Links, new InboundCommandHandler(_ingress, _time, _geometry.PacketLength), _metrics, _logger, _time, _members)
        {
            LogPeerAddresses = !_options.SafeLogging,
        };
        _listener.Start();
        if (_options.ClientListenAddress.Length > 0)
        {
            StartClientListener(ingress);
        }

        _listening = true;
        var warmUp = new UnwrapWarmUp(_geometry, _keys, _ownId, _time);
        _warmUp = Task.Run(() => WarmUpAsync(warmUp, _stopping.Token), CancellationToken.None);

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

        // Not ready from here on (load balancers and probes stop sending); the warm-up, if still running, ends.
        _listening = false;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_warmUp is not null)
        {
            await _warmUp.ConfigureAwait(false);
            _warmUp = null;
        }

        // The drain budget: most of the shutdown timeout, so flushing state and closing links fit in the rest.
        long drainStarted = _time.GetTimestamp();
        TimeSpan budget = _options.ShutdownTimeout * 0.8;
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
            // Packets whose delay ends within the budget still leave; what is held beyond it is dropped and counted.
            IMixer mixer = _mixer;
            NodeLog.Draining(_logger, budget);
            await WaitUntilAsync(() => mixer.Count == 0, drainStarted, budget, cancellationToken).ConfigureAwait(false);
            List<OutgoingPacket> left = mixer.Drain();
            foreach (OutgoingPacket held in left)
            {
                _metrics.PacketDropped(DropReason.Shutdown);
                PacketBuffers.Return(held.Buffer);
            }

            NodeLog.Drained(_logger, left.Count);

            _mixer.Dispose();
            _mixer = null;
        }

        _processor = null;
        if (_outbound is not null)
        {
            // Then the outbound queues empty onto their links; each link then tells its peer (Disconnect) and closes.
            TimeSpan left = budget - _time.GetElapsedTime(drainStarted);
            await _outbound.CompleteAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>What readiness is made of, read by the health checks (cheap: no locks on packet paths).</summary>
    public NodeStatus Status()
    {
        OutboundPool? outbound = _outbound;
        int nextHops = 0;
        int nextHopsUp = 0;
        bool member = false;
        if (outbound is not null && _linkKey is not null)
        {
            NetworkTopology network = _topology.Current;
            if (network.TryGetNode(_ownId, out NodeDescriptor? self))
            {
                member = network.EpochsCovered.Contains(_keys.CurrentEpoch);
                foreach (NodeDescriptor next in network.NextHopsOf(self))
                {
                    if (next.Id != _ownId)
                    {
                        nextHops++;
                        nextHopsUp += outbound.IsConnected(next.Id) ? 1 : 0;
                    }
                }
            }
        }

        return new NodeStatus(
            KeysLoaded: _linkKey is not null && _keys.Find(_keys.CurrentEpoch) is not null,
            NetworkCurrent: member,
            Listening: _listening,
            NextHops: nextHops,
            NextHopsUp: nextHopsUp,
            Warm: _warm);
    }

    private NodeGauges Gauges(LoopTracker loops)
    {
        long epoch = _keys.CurrentEpoch;
        IReadOnlyList<ReplayFilterReading> filters = _replay?.Readings(epoch) ?? [];
        double ratio = loops.ReturnedRatio(epoch - 1);
        NodeStatus status = Status();
        return new NodeGauges(epoch, filters, double.IsNaN(ratio) ? null : ratio, status.NextHopsUp, status.NextHops - status.NextHopsUp);
    }

    private async Task WarmUpAsync(UnwrapWarmUp warmUp, CancellationToken cancellation)
    {
        try
        {
            // Two rounds: each path once with every key order and batch shape; `mixnode run` compiles each method once,
            // fully optimised (no tiered compilation), so more rounds would only delay readiness.
            await warmUp.RunAsync(rounds: 2, pause: TimeSpan.FromMilliseconds(10), cancellation).ConfigureAwait(false);
            if (warmUp.Failures > 0)
            {
                NodeLog.WarmUpFailed(_logger, warmUp.Failures);
                return;
            }

            _warm = true;
            NodeLog.WarmedUp(_logger);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A fault in the unwrap path: the node stays not ready (and says why) rather than failing at stop.
            NodeLog.WarmUpFaulted(_logger, e);
        }
    }

    /// <summary>
    /// The node must be in the document it serves (a node missing from it would run as nobody, refused by every
    /// peer), and its epochs must be the network's (its mix keys would belong to the wrong epochs).
    /// </summary>
    /// <remarks>
    /// A node following the authorities may be missing from the consensus (its descriptor missed the deadline): it
    /// starts anyway, with the role its own descriptor gives, and is not ready until a consensus lists it.
    /// </remarks>
    private NodeDescriptor CheckMembership(NetworkTopology network)
    {
        if (!network.TryGetNode(_ownId, out NodeDescriptor? self))
        {
            if (_topology.FollowsAuthorities)
            {
                self = _keyStore.TryReadDescriptor() ?? throw new TopologyException($"there is no {NodeKeyStore.DescriptorFile} in {_options.KeysDirectory}: run mixnode keygen with --name, --role and --address");
            }
            else
            {
                throw new TopologyException($"this node ('{_options.Name}', keys in {_options.KeysDirectory}) is not in the network document {_topology.Description}: add its descriptor (keys/descriptor.json) and sign the document again, or point Mixnode:KeysDirectory at the keys the document lists.");
            }
        }

        if (network.EpochPeriod != _options.EpochPeriod)
        {
            throw new TopologyException($"Mixnode:EpochPeriod ({_options.EpochPeriod}) differs from the network document's epoch period ({network.EpochPeriod}); set Mixnode:EpochPeriod={network.EpochPeriod}.");
        }

        return self;
    }

    /// <summary>Polls <paramref name="done"/> until it holds or the drain budget (or the host's patience) runs out.</summary>
    private async Task WaitUntilAsync(Func<bool> done, long started, TimeSpan budget, CancellationToken cancellation)
    {
        while (!done() && _time.GetElapsedTime(started) < budget && !cancellation.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Client links: any static key (it is the client's mailbox id), the client framing and prologue, rate limits.</summary>
    private void StartClientListener(IngressQueue ingress)
    {
        WireFraming framing = ClientLinkProtocol.Framing(_geometry);
        var settings = _options.Links.SessionSettings(framing) with { Prologue = ClientLinkProtocol.Prologue(framing) };
        var handler = new ClientCommandHandler(ingress, _sink as MailboxDeliverySink, _options.Clients, framing, _metrics, _time, _options.Delivery.MaxRetrievalsPerSession, _options.Links.MaxTrackedPrefixes);
        NodeOptionsValidator.TryParseEndPoint(_options.ClientListenAddress, out IPEndPoint endPoint);
        _clientListener = new LinkListener(endPoint, _linkKey!, static _ => true, settings, _options.Links.ForClientLinks(), handler, _metrics, _logger, _time)
        {
            LogPeerAddresses = !_options.SafeLogging,
        };
        _clientListener.Start();
    }

    /// <summary>The echo service's reply budget, for everyone together: one token bucket shared by the crypto workers.</summary>
    private Func<bool> EchoBudget()
    {
        var bucket = new TokenBucket(_options.Clients.EchoRatePerSecond, _options.Clients.EchoBurst, _time);
        return () =>
        {
            lock (bucket)
            {
                return bucket.TryTake();
            }
        };
    }

    /// <summary>The delay cap: the network's (20 × its mean delay), within the operator's own bound.</summary>
    private TimeSpan MaxDelay(NetworkTopology network) =>
        TimeSpan.FromMilliseconds(Math.Min(_options.MaxNodeDelay.TotalMilliseconds, network.Mixing.MaxDelayMs));

    private void OnTopologyChanged(NetworkTopology network)
    {
        // Peers no longer in the network lose their links both ways: ours to them, and theirs to us (which the
        // listener's handshake check would refuse from now on anyway).
        _outbound?.OnTopologyChanged(network);
        _members?.Update(network);
        _listener?.CloseWhere(key => !network.TryGetNodeByLinkKey(key.AsReadOnlySpan(), out _), LinkCloseReason.RemovedFromTopology);
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
        // Workers may still hold the retired key for its grace period; then its filter is closed (its file stays while the key file does).
        ReplayFilterSet? replay = _replay;
        if (replay is not null)
        {
            lock (_retirements)
            {
                // Kept referenced: an unreferenced timer may be collected before it fires.
                _retirements.Add(_time.CreateTimer(static state => ((Action)state!)(), (Action)(() => replay.Retire(epoch)), _keys.RetireGrace, Timeout.InfiniteTimeSpan));
            }
        }
    }
}
