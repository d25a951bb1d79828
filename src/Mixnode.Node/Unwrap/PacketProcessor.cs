using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// What a crypto worker does with one packet: unwrap it once (current epoch's mix key, then the previous,
/// then the next: the MAC tells which key the sender used, and a failed try leaves the buffer untouched),
/// refuse a replay (only after the MAC verified, so garbage cannot fill the filter), then hand it to the
/// mixer for its next hop or to the delivery sink. Every outcome but forwarding returns the buffer.
/// <para>
/// Two rules keep what a sender asks for within what the network agreed: a per-hop delay above the network's cap
/// (<see cref="Topology.MixingParameters.MaxDelayMs"/>) is dropped before it takes a mixer slot, so a few clients
/// asking for long delays cannot fill the queue for minutes; and only providers are last hops (they keep the
/// mailboxes), so a packet that ends at a mix is dropped, unless it is one of this node's own loops coming home.
/// </para>
/// <para>
/// With a <see cref="ReBlinder"/> (a node always has one) a forward's alpha is re-blinded while it waits out its delay,
/// eight at a time, instead of right here: see <see cref="ReBlinder"/> for why.
/// </para>
/// </summary>
internal sealed class PacketProcessor
{
    private readonly SphinxGeometry _geometry;
    private readonly MixKeyRing _keys;
    private readonly IReplayGuard _replay;
    private readonly IMixer _mixer;
    private readonly bool _acceptsDeliveries;
    private readonly LoopTracker? _loops;
    private readonly IDeliverySink _sink;
    private readonly NodeMetrics _metrics;
    private readonly TimeProvider _time;
    private uint _maxDelayMs;
    private readonly EchoService? _echo;
    private readonly ReBlinder? _reBlinder;
    private static readonly uint s_flushAheadMs = (uint)ReBlinder.FlushAhead.TotalMilliseconds;

    /// <param name="maxDelay">The longest per-hop delay honoured (<see cref="UpdateMaxDelay"/> when the network changes).</param>
    /// <param name="acceptsDeliveries">Whether this node is a provider; a mix drops packets that end at it (except its own loops).</param>
    /// <param name="loops">This node's own loop packets: recognised and counted when they come back.</param>
    public PacketProcessor(SphinxGeometry geometry, MixKeyRing keys, IReplayGuard replay, IMixer mixer, IDeliverySink sink, NodeMetrics metrics, TimeProvider time, TimeSpan maxDelay, EchoService? echo = null, ReBlinder? reBlinder = null, bool acceptsDeliveries = true, LoopTracker? loops = null)
    {
        _mixer = mixer;
        _acceptsDeliveries = acceptsDeliveries;
        _loops = loops;
        _echo = echo;
        _reBlinder = reBlinder;
        _geometry = geometry;
        _keys = keys;
        _replay = replay;
        _sink = sink;
        _metrics = metrics;
        _time = time;
        UpdateMaxDelay(maxDelay);
    }

    /// <summary>A new network document may carry a new mean delay, and with it a new cap.</summary>
    public void UpdateMaxDelay(TimeSpan maxDelay) =>
        Volatile.Write(ref _maxDelayMs, (uint)Math.Clamp(maxDelay.TotalMilliseconds, 0, uint.MaxValue));

    /// <summary>One packet on its own (tests; workers call <see cref="ProcessBatch"/>, whose scratch this allocates).</summary>
    public void Process(in IngressPacket ingress) => ProcessOne(ingress, new UnwrapBatch());

    [SkipLocalsInit] // the factor is written before it is read
    private void ProcessOne(in IngressPacket ingress, UnwrapBatch scratch)
    {
        Span<byte> blindingFactor = stackalloc byte[SphinxUnwrapper.BlindingFactorLength];
        try
        {
            long started = _metrics.SampleUnwrap() ? Stopwatch.GetTimestamp() : 0;
            UnwrapResult result = UnwrapWithEachKey(ingress.Buffer.AsSpan(0, ingress.Length), _keys.TryOrder.AsSpan(), blindingFactor, out UnwrappedPacket unwrapped, out long epoch);
            if (started != 0)
            {
                _metrics.UnwrapTimed(started);
            }

            Finish(ingress, result, unwrapped, epoch, blindingFactor, scratch);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blindingFactor);
        }
    }

    /// <summary>
    /// Packets taken off the queue together: unwrapped with the current key as one batch (eight X25519 per native
    /// call when the CPU has AVX-512 IFMA), those whose MAC did not match then tried one by one with the other keys,
    /// and each then handled exactly as <see cref="Process"/> would.
    /// </summary>
    public void ProcessBatch(UnwrapBatch batch)
    {
        ReadOnlySpan<MixKey> keys = _keys.TryOrder.AsSpan();
        int count = batch.Count;
        if (count == 1 || keys.IsEmpty || !SphinxUnwrapper.BatchAccelerated)
        {
            for (int i = 0; i < count; i++)
            {
                ProcessOne(batch.Packets[i], batch);
            }

            return;
        }

        long started = _metrics.SampleUnwrap() ? Stopwatch.GetTimestamp() : 0;
        for (int i = 0; i < count; i++)
        {
            batch.Buffers[i] = batch.Packets[i].Buffer.AsMemory(0, batch.Packets[i].Length);
        }

        Span<byte> factors = batch.BlindingFactors;
        SphinxUnwrapper.UnwrapBatchDeferringBlinding(_geometry, keys[0].PrivateKey, batch.Buffers.AsSpan(0, count), batch.Results, batch.Unwrapped, factors);
        ReBlindShortDelays(batch, count);
        if (started != 0)
        {
            // The batch's time shared out: what one packet cost the node (one sample per batch).
            _metrics.UnwrapTimed(started, count);
        }

        try
        {
            for (int i = 0; i < count; i++)
            {
                long epoch = keys[0].Epoch;
                Span<byte> factor = factors.Slice(i * SphinxUnwrapper.BlindingFactorLength, SphinxUnwrapper.BlindingFactorLength);
                if (batch.Results[i] == UnwrapResult.MacMismatch && keys.Length > 1)
                {
                    // Another epoch's key (a packet sent across a boundary): the buffer is untouched after a mismatch.
                    batch.Results[i] = UnwrapWithEachKey(batch.Buffers[i].Span, keys[1..], factor, out batch.Unwrapped[i], out epoch);
                }

                Finish(batch.Packets[i], batch.Results[i], batch.Unwrapped[i], epoch, batch.ReBlinded[i] ? default : factor, batch);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(factors);
            Array.Clear(batch.ReBlinded);
        }
    }

    /// <summary>
    /// The forwards of a batch that leave within <see cref="ReBlinder.FlushAhead"/> are re-blinded here, together (one
    /// eight-lane call), as <see cref="SphinxUnwrapper.UnwrapBatch"/> would: handed to the re-blinder one by one they
    /// would each be due at once and re-blinded alone (node-forward, every delay 0: 32,000 instead of 54,000 packets/s).
    /// Marks them in <see cref="UnwrapBatch.ReBlinded"/>.
    /// </summary>
    private void ReBlindShortDelays(UnwrapBatch batch, int count)
    {
        if (_reBlinder is null)
        {
            return;
        }

        const int FactorLength = SphinxUnwrapper.BlindingFactorLength;
        ReBlinder.Scratch scratch = batch.ReBlind;
        Span<int> packetOf = stackalloc int[SphinxUnwrapper.MaxBatch];
        int n = 0;
        for (int i = 0; i < count; i++)
        {
            if (batch.Results[i] == UnwrapResult.Success && batch.Unwrapped[i].Kind == UnwrappedKind.Forward
                && (!_mixer.HonoursDelays || batch.Unwrapped[i].Commands.NodeDelayMs <= s_flushAheadMs))
            {
                scratch.Packets[n] = batch.Buffers[i];
                batch.BlindingFactors.AsSpan(i * FactorLength, FactorLength).CopyTo(scratch.Factors.AsSpan(n * FactorLength, FactorLength));
                packetOf[n++] = i;
            }
        }

        if (n == 0)
        {
            return;
        }

        int failed;
        try
        {
            failed = SphinxUnwrapper.ReBlindBatch(scratch.Packets.AsSpan(0, n), scratch.Factors);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch.Factors);
            Array.Clear(scratch.Packets, 0, n);
        }

        for (int b = 0; b < n; b++)
        {
            int i = packetOf[b];
            if ((failed & (1 << b)) != 0)
            {
                batch.Results[i] = UnwrapResult.InvalidGroupElement;
                batch.Unwrapped[i] = default;
            }
            else
            {
                batch.ReBlinded[i] = true;
            }
        }
    }

    private UnwrapResult UnwrapWithEachKey(Span<byte> packet, ReadOnlySpan<MixKey> keys, Span<byte> blindingFactor, out UnwrappedPacket unwrapped, out long epoch)
    {
        UnwrapResult result = UnwrapResult.MacMismatch;
        unwrapped = default;
        epoch = 0;
        foreach (MixKey key in keys)
        {
            result = SphinxUnwrapper.UnwrapDeferringBlinding(_geometry, key.PrivateKey, packet, blindingFactor, out unwrapped);
            if (result != UnwrapResult.MacMismatch)
            {
                epoch = key.Epoch;
                break;
            }
        }

        return result;
    }

    private void Finish(in IngressPacket ingress, UnwrapResult result, in UnwrappedPacket unwrapped, long epoch, ReadOnlySpan<byte> blindingFactor, UnwrapBatch scratch)
    {
        DropReason? drop = result == UnwrapResult.Success ? Dispatch(ingress, unwrapped, epoch, blindingFactor, scratch)
            : result == UnwrapResult.MacMismatch ? DropReason.Mac
            : DropReason.Malformed;
        if (drop is { } reason)
        {
            if (reason is DropReason.Mac or DropReason.Malformed && ingress.ClientOrigin is { } client)
            {
                // A mix forwards what it is given; a client, though, made this packet itself.
                client.Close(LinkCloseReason.MalformedPacket);
            }

            _metrics.PacketDropped(reason);
            PacketBuffers.Return(ingress.Buffer);
        }
    }

    /// <summary>Null when the packet went on (the buffer now belongs to the delay queue or was delivered and returned).</summary>
    private DropReason? Dispatch(in IngressPacket ingress, in UnwrappedPacket unwrapped, long epoch, ReadOnlySpan<byte> blindingFactor, UnwrapBatch scratch)
    {
        if (!_replay.TryAccept(epoch, unwrapped.ReplayTag))
        {
            return DropReason.Replay;
        }

        Span<byte> packet = ingress.Buffer.AsSpan(0, ingress.Length);
        switch (unwrapped.Kind)
        {
            case UnwrappedKind.Forward:
                // A pool decides a packet's stay itself: the sender's delay (0 from honest clients) is ignored.
                uint delayMs = _mixer.HonoursDelays ? unwrapped.Commands.NodeDelayMs : 0;
                if (delayMs > Volatile.Read(ref _maxDelayMs))
                {
                    return DropReason.Delay;
                }

                long due = ingress.ReceivedTimestamp + (long)(delayMs * (_time.TimestampFrequency / 1000.0));
                if (blindingFactor.IsEmpty)
                {
                    // Re-blinded already, with the rest of its batch (ReBlindShortDelays).
                }
                else if (_reBlinder is null || delayMs <= s_flushAheadMs)
                {
                    // Leaves (almost) at once: waiting in the re-blinder would gain nothing.
                    if (!SphinxUnwrapper.ReBlind(packet, blindingFactor))
                    {
                        return DropReason.Malformed;
                    }
                }
                else
                {
                    // Before scheduling: the mixer may release the packet at once, and then asks the re-blinder for it.
                    _reBlinder.Add(ingress.Buffer, blindingFactor, due, scratch.ReBlind);
                }

                var scheduled = new OutgoingPacket(ingress.Buffer, unwrapped.Commands.NextNodeId, ingress.ReceivedTimestamp, due);
                if (_mixer.TryEnqueue(scheduled))
                {
                    return null;
                }

                // A no-op for a packet that never went to the re-blinder.
                _reBlinder?.Cancel(ingress.Buffer);
                return DropReason.Overload;

            default:
                RoutingCommands commands = unwrapped.Commands;
                if (_loops is not null && unwrapped.Kind == UnwrappedKind.Deliver && commands.RecipientId == _loops.RecipientId)
                {
                    _loops.Returned(unwrapped.Payload(packet));
                    PacketBuffers.Return(ingress.Buffer);
                    return null;
                }

                if (!_acceptsDeliveries)
                {
                    return DropReason.NotProvider;
                }

                if (unwrapped.Kind == UnwrappedKind.Deliver && commands.RecipientId == DropRecipient.Id)
                {
                    // Loopix drop cover: unwrapped like any packet (so its cost looks the same), then forgotten.
                    _metrics.CoverDropReceived();
                    PacketBuffers.Return(ingress.Buffer);
                    return null;
                }
                if (_echo is not null && unwrapped.Kind == UnwrappedKind.Deliver && commands.RecipientId == EchoService.RecipientId)
                {
                    bool replied = _echo.TryReply(unwrapped.Payload(packet));
                    PacketBuffers.Return(ingress.Buffer);
                    if (!replied)
                    {
                        _metrics.PacketDropped(DropReason.Malformed);
                    }

                    return null;
                }

                var message = new DeliveredMessage(commands.RecipientId, unwrapped.Kind == UnwrappedKind.SurbReply, commands.SurbId, unwrapped.Payload(packet));
                if (!_sink.Deliver(message))
                {
                    return DropReason.Overload;
                }

                _metrics.PacketDelivered();
                PacketBuffers.Return(ingress.Buffer);
                return null;
        }
    }
}
