using System.Diagnostics.Metrics;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// The start-up self-test: packets addressed to this node, under its current mix key, go through the same unwrap
/// path real packets take (<see cref="PacketProcessor"/>, batched and one by one, with re-blinding) before the node
/// reports ready. It proves the keys work and takes the first packets' JIT compilation and tier-up off real
/// traffic. Nothing of it is visible: its replay guard, mixer and sink discard everything, and its metrics go to a
/// meter no exporter listens to.
/// </summary>
internal sealed class UnwrapWarmUp
{
    /// <summary>Distinct packets built once; each round unwraps fresh copies of them.</summary>
    private const int Packets = 2 * SphinxUnwrapper.MaxBatch;

    private readonly SphinxGeometry _geometry;
    private readonly PacketProcessor _processor;
    private readonly byte[][] _originals;
    private readonly Discard _forwarded = new();
    private long _failures;

    public UnwrapWarmUp(SphinxGeometry geometry, MixKeyRing keys, Bytes32 ownId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _geometry = geometry;
        MixKey key = keys.Find(keys.CurrentEpoch) ?? throw new InvalidOperationException("no mix key for the current epoch: the self-test needs one");
        var metrics = new NodeMetrics(new UnexportedMeterFactory());
        _processor = new PacketProcessor(geometry, keys, new AcceptAll(), _forwarded, new CountingDeliverySink(), metrics, time, TimeSpan.FromMinutes(1), reBlinder: new ReBlinder(time));

        // Two hops, both this node: the first unwrap yields a forward packet, as at a mix.
        PathHop[] path =
        [
            new(ownId.AsReadOnlySpan(), key.PublicKey.AsReadOnlySpan(), RoutingCommands.Delay(0)),
            new(ownId.AsReadOnlySpan(), key.PublicKey.AsReadOnlySpan(), RoutingCommands.ToRecipient(new byte[32])),
        ];
        byte[] message = new byte[geometry.ForwardPayloadLength];
        _originals = new byte[Packets][];
        for (int i = 0; i < Packets; i++)
        {
            _originals[i] = new byte[geometry.PacketLength];
            SphinxPacketBuilder.CreatePacket(geometry, path, message, _originals[i]);
        }
    }

    /// <summary>Packets that did not unwrap to the expected forward hop (a key or code fault: the node must not go ready).</summary>
    public long Failures => Volatile.Read(ref _failures);

    /// <summary>
    /// Unwraps <paramref name="rounds"/> rounds of copies, <paramref name="pause"/> apart (under tiered compilation the
    /// runtime recompiles hot methods in the background once they have run a while; pauses let that happen).
    /// </summary>
    public async Task RunAsync(int rounds, TimeSpan pause, CancellationToken cancellation)
    {
        var batch = new UnwrapBatch();
        for (int round = 0; round < rounds; round++)
        {
            cancellation.ThrowIfCancellationRequested();
            RunRound(batch);
            await Task.Delay(pause, cancellation).ConfigureAwait(false);
        }
    }

    private void RunRound(UnwrapBatch batch)
    {
        long before = _forwarded.Taken;
        int expected = 0;
        for (int first = 0; first < Packets; first += SphinxUnwrapper.MaxBatch)
        {
            batch.Count = 0;
            for (int i = first; i < first + SphinxUnwrapper.MaxBatch; i++)
            {
                byte[] copy = PacketBuffers.Rent(_geometry.PacketLength);
                _originals[i].CopyTo(copy, 0);
                batch.Packets[batch.Count] = new IngressPacket(copy, _geometry.PacketLength, 0);
                batch.Buffers[batch.Count] = copy.AsMemory(0, _geometry.PacketLength);
                batch.Count++;
            }

            _processor.ProcessBatch(batch);
            batch.Clear();
            expected += SphinxUnwrapper.MaxBatch;
        }

        // And the one-at-a-time path, which a lightly loaded node takes for most packets.
        for (int i = 0; i < SphinxUnwrapper.MaxBatch; i++)
        {
            byte[] copy = PacketBuffers.Rent(_geometry.PacketLength);
            _originals[i].CopyTo(copy, 0);
            _processor.Process(new IngressPacket(copy, _geometry.PacketLength, 0));
            expected++;
        }

        long missing = expected - (_forwarded.Taken - before);
        if (missing > 0)
        {
            Interlocked.Add(ref _failures, missing);
        }
    }

    /// <summary>Every tag is new: the self-test packets must not enter the real replay filters.</summary>
    private sealed class AcceptAll : IReplayGuard
    {
        public bool TryAccept(long epoch, in Bytes32 tag) => true;
    }

    /// <summary>Takes every packet and returns its buffer; counts them so the self-test can check it got them all.</summary>
    private sealed class Discard : IMixer
    {
        private long _taken;

        public long Taken => Volatile.Read(ref _taken);

        public bool HonoursDelays => true;

        public int Count => 0;

        public bool TryEnqueue(in OutgoingPacket packet)
        {
            Interlocked.Increment(ref _taken);
            PacketBuffers.Return(packet.Buffer);
            return true;
        }

        public List<OutgoingPacket> Drain() => [];

        public void Dispose()
        {
        }
    }

    /// <summary>Meters named apart from <see cref="NodeMetrics.MeterName"/>, so exporters (which listen by name) never see them.</summary>
    private sealed class UnexportedMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new("Mixnode.WarmUp");

        public void Dispose()
        {
        }
    }
}
