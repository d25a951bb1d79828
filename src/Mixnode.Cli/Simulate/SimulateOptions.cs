using System.Globalization;

namespace Mixnode.Cli.Simulate;

/// <summary>One <c>mixnode simulate</c> run as given on the command line; times in seconds.</summary>
internal sealed record SimulateOptions
{
    public const int MaxPackets = 10_000_000;
    public const double MaxArrivalRate = 1e7;

    /// <summary>
    /// Below this the run spans so long that counting timer ticks in a 64-bit integer could overflow with a small
    /// interval; no mix worth simulating sees less than a packet every 17 minutes.
    /// </summary>
    public const double MinArrivalRate = 1e-3;

    public const int MaxMinPool = 1_000_000;
    public const int MaxThreshold = 10_000_000;

    /// <summary>Bounds on delays and intervals: below a microsecond nothing is mixed, above 11 days nothing is usable.</summary>
    public const double MinTime = 1e-6;

    public const double MaxTime = 1e6;

    /// <summary>The testnet's default per-hop mean delay (<c>mixnode testnet --mean-delay-ms 50</c>).</summary>
    public const double DefaultMeanDelay = 0.05;

    public const int DefaultPackets = 100_000;

    /// <summary>"poisson" or "timed-pool" as typed; checked by <see cref="Validate"/>.</summary>
    public required string StrategyName { get; init; }

    public required double ArrivalRate { get; init; }

    public int Packets { get; init; } = DefaultPackets;

    public double MeanDelay { get; init; } = DefaultMeanDelay;

    public TimedPoolSettings Pool { get; init; } = TimedPoolSettings.Default;

    public int? Seed { get; init; }

    public MixStrategy Strategy => StrategyName switch
    {
        "poisson" => MixStrategy.Poisson,
        "timed-pool" => MixStrategy.TimedPool,
        _ => throw new InvalidOperationException($"unknown strategy {StrategyName}"),
    };

    /// <summary>What is wrong with the arguments, naming the option, or null.</summary>
    public string? Validate()
    {
        if (StrategyName is not ("poisson" or "timed-pool"))
        {
            return $"--strategy must be poisson or timed-pool, got '{StrategyName}'";
        }

        if (!(ArrivalRate >= MinArrivalRate && ArrivalRate <= MaxArrivalRate))
        {
            return Invariant($"--arrival-rate must be between {MinArrivalRate} and {MaxArrivalRate:0} packets per second, got {ArrivalRate}");
        }

        if (Packets < 1 || Packets > MaxPackets)
        {
            return Invariant($"--packets must be between 1 and {MaxPackets}, got {Packets}");
        }

        return Strategy == MixStrategy.Poisson ? ValidatePoisson() : ValidatePool();
    }

    private string? ValidatePoisson() =>
        MeanDelay >= MinTime && MeanDelay <= MaxTime
            ? null
            : Invariant($"--mean-delay must be between {MinTime} and {MaxTime:0} seconds for poisson, got {MeanDelay}");

    private string? ValidatePool()
    {
        TimedPoolSettings pool = Pool;
        if (!(pool.Interval == 0 || (pool.Interval >= MinTime && pool.Interval <= MaxTime)))
        {
            return Invariant($"--interval must be 0 (no timer) or between {MinTime} and {MaxTime:0} seconds, got {pool.Interval}");
        }

        if (pool.Threshold < 0 || pool.Threshold > MaxThreshold)
        {
            return Invariant($"--threshold must be between 0 (none) and {MaxThreshold}, got {pool.Threshold}");
        }

        if (pool.Interval == 0 && pool.Threshold == 0)
        {
            return "--interval and --threshold are both 0: the pool would never flush; give a timer (--interval), a threshold, or both";
        }

        if (pool.MinPool < 0 || pool.MinPool > MaxMinPool)
        {
            return Invariant($"--min-pool must be between 0 and {MaxMinPool}, got {pool.MinPool}");
        }

        return pool.Fraction > 0 && pool.Fraction <= 1
            ? null
            : Invariant($"--fraction must be more than 0 and at most 1, got {pool.Fraction}");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
