using Mixnode.Pki;

namespace Mixnode.Client.Consensus;

/// <summary>
/// The authorities as a <see cref="IConsensusSource"/>: each document is fetched from the authorities in random
/// order, must carry a threshold of their signatures and must pass the client's <see cref="DocumentGuard"/> (no
/// rollback, no second document for an epoch already accepted). Refusals are counted by reason.
/// </summary>
internal sealed class DirectoryConsensusSource : IConsensusSource, IDisposable
{
    private readonly DirectoryClient _directory;
    private readonly DocumentGuard _guard = new();
    private long _refused;

    public DirectoryConsensusSource(AuthoritySet authorities, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        _directory = new DirectoryClient(authorities, timeout, handler);
    }

    /// <summary>The authorities asked, and the threshold their documents need.</summary>
    public AuthoritySet Authorities => _directory.Authorities;

    /// <summary>Documents refused so far (bad signatures, below threshold, rollback, …), all reasons together.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The last refusal's reason and message, for an error that says why no document was usable.</summary>
    public string? LastRefusal { get; private set; }

    public async Task<NetworkTopology?> FetchAsync(long epoch, CancellationToken cancellationToken)
    {
        VerifiedDocument? verified = await _directory.FetchVerifiedAsync(epoch, _guard, Refuse, cancellationToken).ConfigureAwait(false);
        return verified is null ? null : new NetworkTopology(verified.Document, default);
    }

    /// <summary>
    /// The first document to start from, before the epoch period is known: the authorities' latest when it covers the
    /// current epoch (by its own period); when the latest is already the next epoch's (published before its epoch
    /// begins), the current epoch's. Null when none usable is published yet.
    /// </summary>
    public async Task<NetworkTopology?> FetchInitialAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);

        // Unguarded: the latest may be the next epoch's, and accepting it would make the current one a rollback.
        VerifiedDocument? latest = await _directory.FetchVerifiedAsync(null, guard: null, Refuse, cancellationToken).ConfigureAwait(false);
        if (latest is null)
        {
            return null;
        }

        long now = new EpochClock(time, latest.Document.EpochPeriod).Current;
        if (latest.Document.EpochsCovered.Contains(now) && latest.Document.Epoch <= now)
        {
            try
            {
                _guard.Accept(latest.Document);
                return new NetworkTopology(latest.Document, default);
            }
            catch (TopologyException e)
            {
                Refuse(e.Reason, e.Message);
                return null;
            }
        }

        if (latest.Document.Epoch > now)
        {
            return await FetchAsync(now, cancellationToken).ConfigureAwait(false);
        }

        LastRefusal = $"the newest document is for epoch {latest.Document.Epoch} and covers {latest.Document.EpochsCovered}, not the current epoch {now}";
        return null;
    }

    /// <summary>
    /// <see cref="FetchInitialAsync"/> again every half second until it finds a document (authorities still starting, or
    /// the first consensus not agreed yet); a <see cref="ClientException"/> saying why after <paramref name="timeout"/>.
    /// </summary>
    public async Task<NetworkTopology> FetchFirstAsync(TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        TimeSpan retry = TimeSpan.FromMilliseconds(500);
        long start = time.GetTimestamp();
        while (true)
        {
            if (await FetchInitialAsync(time, cancellationToken).ConfigureAwait(false) is { } topology)
            {
                return topology;
            }

            // No time left for another try: say why now rather than after a wait that cannot end in time.
            if (time.GetElapsedTime(start) + retry > timeout)
            {
                throw new ClientException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"no usable network document from {_directory.Authorities} within {timeout.TotalSeconds} s") +
                    (LastRefusal is { } why ? $" (last refusal: {why})" : " (none answered with one: are they running, and has the first consensus been published?)"));
            }

            await Task.Delay(retry, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _directory.Dispose();

    private void Refuse(PkiRefusal reason, string message)
    {
        Interlocked.Increment(ref _refused);
        LastRefusal = $"{reason.ToTag()}: {message}";
    }
}
