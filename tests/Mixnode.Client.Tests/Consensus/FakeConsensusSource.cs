using System.Collections.Concurrent;
using Mixnode.Client.Consensus;
using Mixnode.Pki;

namespace Mixnode.Client.Tests.Consensus;

/// <summary>Authorities in a test: a document is returned once "published"; every request is recorded.</summary>
internal sealed class FakeConsensusSource : IConsensusSource
{
    private readonly ConcurrentDictionary<long, NetworkTopology> _published = new();

    public ConcurrentQueue<long> Requests { get; } = new();

    public void Publish(NetworkTopology topology) => _published[topology.Document.Epoch] = topology;

    public Task<NetworkTopology?> FetchAsync(long epoch, CancellationToken cancellationToken)
    {
        Requests.Enqueue(epoch);
        return Task.FromResult(_published.TryGetValue(epoch, out NetworkTopology? topology) ? topology : null);
    }
}
