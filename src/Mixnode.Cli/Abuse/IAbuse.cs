namespace Mixnode.Cli.Abuse;

/// <summary>
/// One kind of abuse, driven by <see cref="AbuseRunner"/>: prepared before the paced phase (links, packets, a victim),
/// one attempt per tick of <see cref="AbuseLoop"/>, then finished (extra results, e.g. how many of a victim's
/// messages survived). Disposing closes every socket it opened.
/// </summary>
internal interface IAbuse : IAsyncDisposable
{
    /// <summary>The most attempts this kind makes (victim: the flood size); <see cref="long.MaxValue"/> for none.</summary>
    long MaxAttempts => long.MaxValue;

    /// <summary>Before the paced phase; an exception here ends the run with exit code 1.</summary>
    Task PrepareAsync(long expectedAttempts, CancellationToken cancellationToken);

    /// <summary>Attempt number <paramref name="index"/>; an exception is counted by <see cref="AbuseCounters.Classify"/>.</summary>
    Task<AbuseOutcome> AttemptAsync(long index, CancellationToken cancellationToken);

    /// <summary>After the paced phase: results beyond the counters, as key=value pairs for the summary line.</summary>
    Task<IReadOnlyList<KeyValuePair<string, string>>> FinishAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>([]);
}
