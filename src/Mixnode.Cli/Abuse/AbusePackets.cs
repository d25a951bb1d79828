using System.Diagnostics;
using System.Globalization;
using Mixnode.Client;
using Mixnode.Pki;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// The packets of one abuse run, one kind of packet each (a message to a fresh mailbox, a drop, …), built before the
/// paced phase on every core so that the tool's own Sphinx work does not compete with the nodes during the
/// measurement; up to <see cref="MaxPrebuilt"/>, then built as they are taken (on one builder, under a lock).
/// </summary>
internal sealed class AbusePackets
{
    /// <summary>Packets held in memory at most (~3 KB each in the default geometry: 300 MB; an overload of 1,600/s for 60 s fits).</summary>
    public const int MaxPrebuilt = 100_000;

    private readonly NetworkTopology _topology;
    private readonly Func<PacketBuilder, ForwardPacket> _make;
    private readonly ForwardPacket[] _prebuilt;
    private readonly PacketBuilder _late;
    private readonly Lock _lateLock = new();
    private long _taken;

    private AbusePackets(NetworkTopology topology, Func<PacketBuilder, ForwardPacket> make, ForwardPacket[] prebuilt)
    {
        _topology = topology;
        _make = make;
        _prebuilt = prebuilt;
        _late = new PacketBuilder(topology, TimeProvider.System);
    }

    /// <summary>Packets taken so far.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>
    /// Builds min(<paramref name="expected"/>, <see cref="MaxPrebuilt"/>) packets with <paramref name="make"/> (called
    /// from several threads, each with its own builder) and says how long that took.
    /// </summary>
    public static AbusePackets Prebuild(NetworkTopology topology, long expected, Func<PacketBuilder, ForwardPacket> make, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(make);
        var stopwatch = Stopwatch.StartNew();
        int count = (int)Math.Clamp(expected, 0, MaxPrebuilt);
        var packets = new ForwardPacket[count];
        Parallel.For(
            0,
            count,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => new PacketBuilder(topology, TimeProvider.System),
            (i, _, builder) =>
            {
                packets[i] = make(builder);
                return builder;
            },
            _ => { });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prebuilt {count} packets in {stopwatch.Elapsed.TotalSeconds:F1} s"));
        return new AbusePackets(topology, make, packets);
    }

    /// <summary>The next packet: a prebuilt one while they last, then a fresh one.</summary>
    public ForwardPacket Take()
    {
        long index = Interlocked.Increment(ref _taken) - 1;
        if (index < _prebuilt.Length)
        {
            ForwardPacket packet = _prebuilt[index];
            _prebuilt[index] = null!;
            return packet;
        }

        lock (_lateLock)
        {
            return _make(_late);
        }
    }

    public NetworkTopology Topology => _topology;
}
