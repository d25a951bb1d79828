using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// What an abuse run did so far, updated from many attempts at once: attempts started, and how each ended
/// (<see cref="AbuseOutcome"/>), plus the attempts skipped because too many were still in flight (the tool, not the
/// node, was the limit then).
/// </summary>
internal sealed class AbuseCounters
{
    private long _attempts;
    private long _succeeded;
    private long _refused;
    private long _errors;
    private long _skipped;
    private readonly ConcurrentDictionary<string, long> _why = new(StringComparer.Ordinal);

    /// <summary>Distinct causes of refusals and errors kept at most (the rest are counted as "other").</summary>
    public const int MaxCauses = 20;

    public long Attempts => Interlocked.Read(ref _attempts);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Refused => Interlocked.Read(ref _refused);

    public long Errors => Interlocked.Read(ref _errors);

    public long Skipped => Interlocked.Read(ref _skipped);

    public void Started() => Interlocked.Increment(ref _attempts);

    public void Skip() => Interlocked.Increment(ref _skipped);

    public void Record(AbuseOutcome outcome)
    {
        switch (outcome)
        {
            case AbuseOutcome.Succeeded:
                Interlocked.Increment(ref _succeeded);
                break;
            case AbuseOutcome.Refused:
                Interlocked.Increment(ref _refused);
                break;
            default:
                Interlocked.Increment(ref _errors);
                break;
        }
    }

    /// <summary>Counts a refusal or an error from <paramref name="e"/> under its cause (outcome, exception type and message).</summary>
    public void Record(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        AbuseOutcome outcome = Classify(e);
        Record(outcome);
        string cause = $"{(outcome == AbuseOutcome.Refused ? "refused" : "error")}: {e.GetType().Name}: {e.Message}";
        if (_why.Count >= MaxCauses && !_why.ContainsKey(cause))
        {
            cause = "(other causes)";
        }

        _why.AddOrUpdate(cause, 1, (_, n) => n + 1);
    }

    /// <summary>Why attempts were refused or failed, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Causes() => [.. _why.OrderByDescending(p => p.Value)];

    public AbuseSnapshot Snapshot() => new(Attempts, Succeeded, Refused, Errors, Skipped);

    /// <summary>
    /// The outcome an exception out of an attempt stands for: the node closing or resetting (or an
    /// <see cref="AbuseRefusedException"/>) is a refusal; nothing listening, our own timeouts and anything unexpected
    /// are errors.
    /// </summary>
    public static AbuseOutcome Classify(Exception e) => e switch
    {
        AbuseRefusedException => AbuseOutcome.Refused,
        SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } => AbuseOutcome.Refused,
        IOException { InnerException: SocketException s } => Classify(s),
        _ => AbuseOutcome.Error,
    };
}

/// <summary>The counters at one moment.</summary>
internal readonly record struct AbuseSnapshot(long Attempts, long Succeeded, long Refused, long Errors, long Skipped)
{
    public static AbuseSnapshot operator -(AbuseSnapshot a, AbuseSnapshot b) =>
        new(a.Attempts - b.Attempts, a.Succeeded - b.Succeeded, a.Refused - b.Refused, a.Errors - b.Errors, a.Skipped - b.Skipped);

    public override string ToString() => $"attempts {Attempts} succeeded {Succeeded} refused {Refused} errors {Errors} skipped {Skipped}";
}
