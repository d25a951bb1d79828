using Mixnode.Pki;

namespace Mixnode.Client.Consensus;

/// <summary>Where a client gets each epoch's network document from: the authorities, or a test's fake.</summary>
internal interface IConsensusSource
{
    /// <summary>
    /// The verified document for exactly <paramref name="epoch"/>, already accepted by the caller's rollback guard;
    /// null when none is published yet or none verified (the caller asks again later).
    /// </summary>
    Task<NetworkTopology?> FetchAsync(long epoch, CancellationToken cancellationToken);
}
