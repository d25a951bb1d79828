using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Node.Cover;

/// <summary>
/// Loopix mix cover: the node sends its own loop packets (<see cref="LoopRoute"/>) at the network's rate λM, a Poisson
/// process drawn with the CSPRNG. They are built exactly as clients build theirs — same geometry, per-hop delays drawn
/// from the same distribution (none under a pool), a 32-byte recipient on the last hop — and enter this node's own
/// mixer, so they leave mixed with the real packets: nothing on the wire, at the next hop or in the departure times
/// tells a loop from forwarded traffic. They keep an idle network busy (an observer cannot see when real traffic
/// starts) and, counted back in by <see cref="LoopTracker"/>, measure the network's health.
/// </summary>
internal sealed class LoopSender : IDisposable
{
    /// <summary>With a rate of 0 the sender looks again this often (a new network document may start loops).</summary>
    private static readonly TimeSpan s_idleRecheck = TimeSpan.FromSeconds(1);

    private readonly Func<NetworkTopology> _topology;
    private readonly Bytes32 _ownId;
    private readonly IMixer _mixer;
    private readonly LoopTracker _loops;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly double? _rateOverride;
    private readonly ITimer _timer;
    /// <summary>How long into an epoch the previous one's loops are counted as home (they take seconds at most).</summary>
    private static readonly TimeSpan s_reportAfter = TimeSpan.FromSeconds(10);

    private volatile bool _stopped;
    private bool _warned;
    private long _reportedEpoch = long.MinValue;

    /// <param name="rateOverride">Loops per second instead of the document's λM (tests and testnets); null: the document's.</param>
    public LoopSender(Func<NetworkTopology> topology, Bytes32 ownId, IMixer mixer, LoopTracker loops, NodeMetrics metrics, ILogger logger, TimeProvider time, double? rateOverride = null)
    {
        _topology = topology;
        _ownId = ownId;
        _mixer = mixer;
        _loops = loops;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _rateOverride = rateOverride;
        _timer = time.CreateTimer(static state => ((LoopSender)state!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The rate in force: the override, else the current document's λM.</summary>
    public double RatePerSecond => _rateOverride ?? _topology().Mixing.LoopRatePerSecond;

    public void Start() => ScheduleNext();

    public void Dispose()
    {
        _stopped = true;
        _timer.Dispose();
    }

    /// <summary>Builds one loop and hands it to the mixer; false when the network has no route for one now.</summary>
    public bool TrySendOne()
    {
        NetworkTopology topology = _topology();
        if (!topology.TryGetNode(_ownId, out NodeDescriptor? self))
        {
            return false;
        }

        long epoch = new EpochClock(_time, topology.EpochPeriod).Current;
        NodeDescriptor[] route = LoopRoute.Select(topology, self);
        SphinxGeometry geometry = topology.Geometry;
        if (route.Length == 0 || route.Length > geometry.NrHops)
        {
            return false;
        }

        var path = new PathHop[route.Length];
        for (int i = 0; i < route.Length; i++)
        {
            if (!route[i].MixKeys.TryGetValue(epoch, out Bytes32 mixKey))
            {
                return false;
            }

            RoutingCommands commands = i == route.Length - 1
                ? RoutingCommands.ToRecipient(_loops.RecipientId.AsReadOnlySpan())
                : RoutingCommands.Delay(NextDelayMs(topology.Mixing));
            path[i] = new PathHop(route[i].Id.AsReadOnlySpan(), mixKey.AsReadOnlySpan(), commands);
        }

        byte[] message = new byte[geometry.ForwardPayloadLength];
        LoopTracker.WritePayload(message, epoch);
        byte[] packet = PacketBuffers.Rent(geometry.PacketLength);
        SphinxPacketBuilder.CreatePacket(geometry, path, message, packet.AsSpan(0, geometry.PacketLength));
        long now = _time.GetTimestamp();
        if (!_mixer.TryEnqueue(new OutgoingPacket(packet, route[0].Id, now, now)))
        {
            _metrics.PacketDropped(DropReason.Overload);
            PacketBuffers.Return(packet);
            return false;
        }

        _loops.Sent(epoch);
        return true;
    }

    /// <summary>A per-hop delay as a client draws it: Exp(mean) capped at the network's cap; 0 under a pool.</summary>
    internal static uint NextDelayMs(MixingParameters mixing)
    {
        if (!mixing.ClientsDrawDelays)
        {
            return 0;
        }

        return (uint)Math.Min(Math.Round(NextExponential() * mixing.MeanDelayMs), mixing.MaxDelayMs);
    }

    /// <summary>A draw from Exp(1) by inversion of a CSPRNG uniform in (0, 1].</summary>
    internal static double NextExponential()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(bytes);
        double u = (BinaryPrimitives.ReadUInt64LittleEndian(bytes) >> 11) * (1.0 / (1UL << 53));
        return -Math.Log(1.0 - u);
    }

    private void Tick()
    {
        if (_stopped)
        {
            return;
        }

        try
        {
            ReportFinishedEpoch();
            if (RatePerSecond > 0 && !TrySendOne() && !_warned)
            {
                _warned = true;
                NodeLog.LoopUnroutable(_logger);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or CryptographicException)
        {
            // A bad document or key must not stop the loops for good, nor the node.
            NodeLog.LoopFailed(_logger, e);
        }

        ScheduleNext();
    }

    /// <summary>
    /// Once per epoch, shortly into the next: the previous epoch's "returned of sent", the node's health signal in its
    /// log (an aggregate: nothing per path or peer).
    /// </summary>
    private void ReportFinishedEpoch()
    {
        var clock = new EpochClock(_time, _topology().EpochPeriod);
        long current = clock.Current;
        long finished = current - 1;
        if (finished <= _reportedEpoch || _time.GetUtcNow() - clock.StartOf(current) < s_reportAfter)
        {
            return;
        }

        _reportedEpoch = finished;
        (long sent, long returned) = _loops.For(finished);
        if (sent > 0)
        {
            NodeLog.LoopsReturned(_logger, finished, returned, sent);
        }
    }

    private void ScheduleNext()
    {
        if (_stopped)
        {
            return;
        }

        double rate = RatePerSecond;
        TimeSpan gap = rate > 0 ? TimeSpan.FromSeconds(NextExponential() / rate) : s_idleRecheck;
        try
        {
            _timer.Change(gap, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
