using Mixnode.Authority.Engine;
using Mixnode.Authority.Transport;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Tests.Support;

/// <summary>
/// Authorities wired by direct calls: a send is the receiver's <see cref="AuthorityEngine.Receive"/>, done before
/// the send returns. Authorities can be taken down (unreachable both ways), and a test can rewrite messages in
/// flight (to make an authority equivocate).
/// </summary>
internal sealed class InMemoryNetwork
{
    private readonly Dictionary<Bytes32, AuthorityEngine> _engines = [];
    private readonly HashSet<Bytes32> _down = [];
    private readonly Lock _gate = new();

    /// <summary>Rewrites (sender, receiver, kind, message) → message to deliver.</summary>
    public Func<AuthorityInfo, AuthorityInfo, PeerMessageKind, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? Rewrite { get; set; }

    public List<(Bytes32 From, Bytes32 To, PeerMessageKind Kind, byte[] Message)> Sent { get; } = [];

    public void Add(AuthorityEngine engine)
    {
        lock (_gate)
        {
            _engines[engine.Settings.PublicKey] = engine;
        }
    }

    public void SetDown(Bytes32 authority, bool down)
    {
        lock (_gate)
        {
            if (down)
            {
                _down.Add(authority);
            }
            else
            {
                _down.Remove(authority);
            }
        }
    }

    public IPeerTransport TransportFor(AuthorityInfo self) => new Transport(this, self);

    private sealed class Transport(InMemoryNetwork network, AuthorityInfo self) : IPeerTransport
    {
        public Task<PeerDelivery> SendAsync(AuthorityInfo peer, PeerMessageKind kind, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            AuthorityEngine? target;
            lock (network._gate)
            {
                if (network._down.Contains(self.PublicKey) || network._down.Contains(peer.PublicKey) || !network._engines.TryGetValue(peer.PublicKey, out target))
                {
                    return Task.FromResult(PeerDelivery.Unreachable);
                }

                if (network.Rewrite is { } rewrite)
                {
                    message = rewrite(self, peer, kind, message);
                }

                network.Sent.Add((self.PublicKey, peer.PublicKey, kind, message.ToArray()));
            }

            return Task.FromResult(target.Receive(kind, message) is null ? PeerDelivery.Delivered : PeerDelivery.Refused);
        }

        public Task<byte[]?> FetchConsensusAsync(AuthorityInfo peer, long epoch, CancellationToken cancellationToken)
        {
            AuthorityEngine? target;
            lock (network._gate)
            {
                if (network._down.Contains(self.PublicKey) || network._down.Contains(peer.PublicKey) || !network._engines.TryGetValue(peer.PublicKey, out target))
                {
                    return Task.FromResult<byte[]?>(null);
                }
            }

            return Task.FromResult(target.Consensus(epoch));
        }
    }
}
