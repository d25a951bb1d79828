namespace Mixnode.Cli.Abuse;

/// <summary>
/// The shape the packet-sending abuses share (mailboxes, long-delays, client-flood): a pool of client links to the
/// target provider (<see cref="AbuseLinkPool"/>, fresh keys, replaced when the node closes one) and one prebuilt
/// packet per attempt (<see cref="AbusePackets"/>), sent on link i mod N. The kinds differ only in their packets.
/// </summary>
internal sealed class PacketFloodAbuse : IAbuse
{
    private readonly AbuseTarget _target;
    private readonly AbuseLinkPool _links;
    private readonly Func<Mixnode.Client.PacketBuilder, Mixnode.Client.ForwardPacket> _make;
    private readonly TextWriter _output;
    private AbusePackets? _packets;

    public PacketFloodAbuse(AbuseTarget target, int clients, Func<Mixnode.Client.PacketBuilder, Mixnode.Client.ForwardPacket> make, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _links = new AbuseLinkPool(target.Provider, target.Topology.Geometry, clients, read: true, target.Sources);
        _make = make;
        _output = output;
    }

    public async Task PrepareAsync(long expectedAttempts, CancellationToken cancellationToken)
    {
        _packets = AbusePackets.Prebuild(_target.Topology, expectedAttempts, _make, _output, cancellationToken);
        await _links.ConnectAllAsync(_output, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AbuseOutcome> AttemptAsync(long index, CancellationToken cancellationToken)
    {
        Mixnode.Client.ForwardPacket packet = _packets!.Take();
        AbuseLink link = await _links.GetAsync(index, cancellationToken).ConfigureAwait(false);
        await link.SendPacketAsync(packet.Packet).ConfigureAwait(false);
        return AbuseOutcome.Succeeded;
    }

    public Task<IReadOnlyList<KeyValuePair<string, string>>> FinishAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>([new("reconnects", _links.Reconnects.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

    public ValueTask DisposeAsync() => _links.DisposeAsync();
}
