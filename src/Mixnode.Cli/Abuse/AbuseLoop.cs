using System.Globalization;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// The paced phase every kind shares: attempt i is started at i / rate seconds (evenly spaced, not Poisson: an
/// attacker has no reason to hide its timing) until the duration has passed or the kind's last attempt has started;
/// each runs on its own, its outcome counted (an exception is classified, never thrown: <see cref="AbuseCounters.Classify"/>).
/// At most <c>concurrency</c> attempts run at once; one due while that many are still running is skipped and counted,
/// so a node that stalls its clients cannot make the tool pile up sockets without bound. A line a second gives that
/// second's counts. After the duration, running attempts get a grace (<see cref="DefaultGrace"/>) to end, then are
/// canceled.
/// </summary>
internal sealed class AbuseLoop
{
    /// <summary>How long attempts still running at the end may take before they are canceled.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan s_progressInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_longestSleep = TimeSpan.FromMilliseconds(50);

    private readonly double _rate;
    private readonly TimeSpan _duration;
    private readonly long _maxAttempts;
    private readonly int _concurrency;
    private readonly TimeProvider _time;
    private readonly TextWriter _output;
    private readonly TimeSpan _grace;
    private int _inFlight;

    /// <param name="maxAttempts">The kind's own bound on attempts (victim: the flood size); <see cref="long.MaxValue"/> for none.</param>
    /// <param name="grace">How long attempts still running at the end may take before they are canceled (<see cref="DefaultGrace"/> when null).</param>
    public AbuseLoop(double rate, TimeSpan duration, long maxAttempts, int concurrency, TimeProvider time, TextWriter output, TimeSpan? grace = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        _rate = rate;
        _duration = duration;
        _maxAttempts = maxAttempts;
        _concurrency = concurrency;
        _time = time;
        _output = output;
        _grace = grace ?? DefaultGrace;
    }

    public AbuseCounters Counters { get; } = new();

    /// <summary>Attempts running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Runs the paced phase; returns once every attempt has ended (or was canceled after the grace).</summary>
    public async Task RunAsync(Func<long, CancellationToken, Task<AbuseOutcome>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        using var attempts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long start = _time.GetTimestamp();
        using var progressStop = new CancellationTokenSource();
        Task progress = ReportProgressAsync(start, progressStop.Token);
        try
        {
            long next = 0;
            while (!cancellationToken.IsCancellationRequested && next < _maxAttempts)
            {
                TimeSpan now = _time.GetElapsedTime(start);
                if (now >= _duration)
                {
                    break;
                }

                while (next < _maxAttempts && Due(next) <= now)
                {
                    Launch(attempt, next++, attempts.Token);
                }

                TimeSpan wait = next < _maxAttempts ? Due(next) - _time.GetElapsedTime(start) : TimeSpan.Zero;
                if (wait > TimeSpan.Zero)
                {
                    // Whole milliseconds, at least one: attempts due meanwhile go together on the next turn.
                    double milliseconds = Math.Min(Math.Ceiling(wait.TotalMilliseconds), s_longestSleep.TotalMilliseconds);
                    await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        long graceStart = _time.GetTimestamp();
        while (InFlight > 0 && _time.GetElapsedTime(graceStart) < _grace && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, CancellationToken.None).ConfigureAwait(false);
        }

        await attempts.CancelAsync().ConfigureAwait(false);

        // Canceled attempts end at once (they only wait on sockets and timers); bounded all the same.
        long cancelStart = _time.GetTimestamp();
        while (InFlight > 0 && _time.GetElapsedTime(cancelStart) < _grace)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, CancellationToken.None).ConfigureAwait(false);
        }

        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
    }

    private TimeSpan Due(long index) => TimeSpan.FromSeconds(index / _rate);

    private void Launch(Func<long, CancellationToken, Task<AbuseOutcome>> attempt, long index, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _inFlight) > _concurrency)
        {
            Interlocked.Decrement(ref _inFlight);
            Counters.Skip();
            return;
        }

        Counters.Started();
        _ = RunOneAsync(attempt, index, cancellationToken);
    }

    private async Task RunOneAsync(Func<long, CancellationToken, Task<AbuseOutcome>> attempt, long index, CancellationToken cancellationToken)
    {
        try
        {
            // Off the pacing loop at once: an attempt's synchronous start (a socket, a packet build) must not delay the next.
            await Task.Yield();
            Counters.Record(await attempt(index, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            Counters.Record(e);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task ReportProgressAsync(long start, CancellationToken cancellationToken)
    {
        AbuseSnapshot last = default;
        int second = 0;
        try
        {
            while (true)
            {
                await Task.Delay(s_progressInterval, _time, cancellationToken).ConfigureAwait(false);
                second++;
                AbuseSnapshot now = Counters.Snapshot();
                AbuseSnapshot delta = now - last;
                last = now;
                lock (_output)
                {
                    _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{second,4} s] {delta} in-flight {InFlight}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
