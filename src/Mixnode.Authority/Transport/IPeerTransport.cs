using Mixnode.Pki;

namespace Mixnode.Authority.Transport;

/// <summary>How an authority reaches the others: HTTP in production (<see cref="HttpPeerTransport"/>), direct calls in tests.</summary>
internal interface IPeerTransport
{
    Task<PeerDelivery> SendAsync(AuthorityInfo peer, PeerMessageKind kind, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>The peer's raw document for <paramref name="epoch"/> (unverified), or null.</summary>
    Task<byte[]?> FetchConsensusAsync(AuthorityInfo peer, long epoch, CancellationToken cancellationToken);
}
