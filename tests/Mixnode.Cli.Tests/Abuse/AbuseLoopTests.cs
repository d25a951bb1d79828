using Mixnode.Cli.Abuse;

namespace Mixnode.Cli.Tests.Abuse;

/// <summary>The paced phase every kind shares: bounded by duration, attempts and concurrency; nothing thrown escapes.</summary>
public sealed class AbuseLoopTests
{
    [Fact]
    public async Task Outcomes_and_exceptions_are_counted_never_thrown()
    {
        var loop = new AbuseLoop(200, TimeSpan.FromSeconds(5), maxAttempts: 4, concurrency: 10, TimeProvider.System, TextWriter.Null, TimeSpan.FromSeconds(1));
        await loop.RunAsync(
            (i, _) => i switch
            {
                0 => Task.FromResult(AbuseOutcome.Succeeded),
                1 => Task.FromException<AbuseOutcome>(new AbuseRefusedException("closed by the node")),
                2 => Task.FromException<AbuseOutcome>(new InvalidOperationException("a bug")),
                _ => throw new IOException("thrown before the task"),
            },
            CancellationToken.None);

        AbuseSnapshot total = loop.Counters.Snapshot();
        Assert.Equal(new AbuseSnapshot(4, 1, 1, 2, 0), total);
        Assert.Contains(loop.Counters.Causes(), c => c.Key == "refused: AbuseRefusedException: closed by the node");
        Assert.Contains(loop.Counters.Causes(), c => c.Key == "error: InvalidOperationException: a bug");
    }

    [Fact]
    public async Task Attempts_due_while_the_concurrency_is_used_up_are_skipped_and_stuck_ones_are_canceled_at_the_end()
    {
        var loop = new AbuseLoop(1000, TimeSpan.FromMilliseconds(200), long.MaxValue, concurrency: 2, TimeProvider.System, TextWriter.Null, TimeSpan.FromMilliseconds(100));
        await loop.RunAsync(
            async (_, cancellationToken) =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return AbuseOutcome.Succeeded;
            },
            CancellationToken.None);

        AbuseSnapshot total = loop.Counters.Snapshot();
        Assert.Equal(2, total.Attempts);
        Assert.True(total.Skipped > 0, total.ToString());
        Assert.Equal(2, total.Errors);
        Assert.Equal(0, loop.InFlight);
    }

    [Fact]
    public async Task The_run_stops_after_the_duration_and_prints_a_line_a_second()
    {
        using var output = new StringWriter();
        var loop = new AbuseLoop(50, TimeSpan.FromSeconds(1.2), long.MaxValue, concurrency: 10, TimeProvider.System, output);
        await loop.RunAsync((_, _) => Task.FromResult(AbuseOutcome.Succeeded), CancellationToken.None);

        // Evenly spaced from 0: attempts at 0, 1/50, … before 1.2 s; a slow machine only makes fewer.
        AbuseSnapshot total = loop.Counters.Snapshot();
        Assert.InRange(total.Attempts, 1, 60);
        Assert.Equal(total.Attempts, total.Succeeded);
        Assert.Contains("[   1 s] attempts ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kind_bounds_its_attempts()
    {
        var loop = new AbuseLoop(10_000, TimeSpan.FromSeconds(30), maxAttempts: 7, concurrency: 100, TimeProvider.System, TextWriter.Null);
        await loop.RunAsync((_, _) => Task.FromResult(AbuseOutcome.Succeeded), CancellationToken.None);
        Assert.Equal(7, loop.Counters.Attempts);
    }
}
