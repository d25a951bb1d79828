using Mixnode.Client;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>identities</c>: at R/s a throwaway client of the target provider: a fresh key, the full client handshake, one
/// RetrieveMessage (its mailbox is empty, so the provider parks it), one message to a fresh random recipient id at
/// that provider (a new mailbox), then it leaves (Disconnect, close). Costs the attacker a key and a handshake; cost
/// the provider, before issue 12, ~18 KB kept per identity.
/// </summary>
internal sealed class IdentitiesAbuse(AbuseTarget target, TextWriter output) : IAbuse
{
    /// <summary>How long a leaving client waits for the provider to close its end (so the message got there first).</summary>
    private static readonly TimeSpan s_leaveWait = TimeSpan.FromSeconds(1);

    private AbusePackets? _packets;

    public Task PrepareAsync(long expectedAttempts, CancellationToken cancellationToken)
    {
        _packets = AbusePackets.Prebuild(target.Topology, expectedAttempts, b => AbuseMessages.ToFreshMailbox(b, target.Provider, target.Provider), output, cancellationToken);
        return Task.CompletedTask;
    }

    public async Task<AbuseOutcome> AttemptAsync(long index, CancellationToken cancellationToken)
    {
        ForwardPacket packet = _packets!.Take();
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        AbuseLink link = await AbuseLink.ConnectAsync(target.Provider, target.Topology.Geometry, key, read: true, target.Sources.NewSocket(index), cancellationToken).ConfigureAwait(false);
        try
        {
            await link.RetrieveAsync().ConfigureAwait(false);
            await link.SendPacketAsync(packet.Packet).ConfigureAwait(false);
        }
        finally
        {
            await link.LeaveAsync(s_leaveWait).ConfigureAwait(false);
        }

        return AbuseOutcome.Succeeded;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
