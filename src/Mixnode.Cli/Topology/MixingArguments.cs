using System.CommandLine;
using System.Globalization;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Cli.Topology;

/// <summary>
/// The mixing options shared by <c>topology sign</c> and <c>testnet</c>: the strategy the network document names and
/// the timed pool's parameters (defaults: <see cref="PoolParameters.Default"/>, chosen in docs/anonymity.md).
/// </summary>
internal sealed class MixingArguments
{
    private static readonly PoolSettingNames s_names = new("--pool-interval-ms", "--pool-threshold", "--pool-min-pool", "--pool-fraction");

    public Option<string> Strategy { get; } = new("--mixing")
    {
        Description = "Mixing strategy of the network: poisson (stop-and-go, per-hop delays drawn by senders) or timed-pool (batch-and-shuffle; senders use delay 0).",
        DefaultValueFactory = _ => MixingStrategyNames.Poisson,
    };

    public Option<double> PoolIntervalMs { get; } = new("--pool-interval-ms")
    {
        Description = "timed-pool: a round every this many milliseconds (0: by threshold only).",
        DefaultValueFactory = _ => PoolParameters.Default.Interval.TotalMilliseconds,
    };

    public Option<int> PoolThreshold { get; } = new("--pool-threshold")
    {
        Description = "timed-pool: a round as soon as this many packets wait (0: by the clock only).",
        DefaultValueFactory = _ => PoolParameters.Default.Threshold,
    };

    public Option<int> PoolMinPool { get; } = new("--pool-min-pool")
    {
        Description = "timed-pool: packets each round keeps back.",
        DefaultValueFactory = _ => PoolParameters.Default.MinPool,
    };

    public Option<double> PoolFraction { get; } = new("--pool-fraction")
    {
        Description = "timed-pool: share of the packets beyond the minimum that a round sends, in (0, 1].",
        DefaultValueFactory = _ => PoolParameters.Default.Fraction,
    };

    public IEnumerable<Option> All => [Strategy, PoolIntervalMs, PoolThreshold, PoolMinPool, PoolFraction];

    /// <summary>The strategy and pool the options ask for, or an error naming the option.</summary>
    public static (MixingStrategy Strategy, PoolParameters? Pool, string? Error) Resolve(string strategyName, double intervalMs, int threshold, int minPool, double fraction)
    {
        if (MixingStrategyNames.Parse(strategyName) is not { } strategy)
        {
            return (default, null, $"--mixing must be {MixingStrategyNames.Poisson} or {MixingStrategyNames.TimedPool}, got '{strategyName}'");
        }

        if (strategy != MixingStrategy.TimedPool)
        {
            return (strategy, null, null);
        }

        if (!double.IsFinite(intervalMs) || intervalMs < 0 || intervalMs > TimeSpan.FromHours(1).TotalMilliseconds)
        {
            return (strategy, null, string.Create(CultureInfo.InvariantCulture, $"--pool-interval-ms must be between 0 and 3600000, got {intervalMs}"));
        }

        try
        {
            return (strategy, new PoolParameters(TimeSpan.FromMilliseconds(intervalMs), threshold, minPool, fraction, s_names), null);
        }
        catch (TopologyException e)
        {
            return (strategy, null, e.Message);
        }
    }

    public (MixingStrategy Strategy, PoolParameters? Pool, string? Error) Resolve(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return Resolve(parse.GetValue(Strategy)!, parse.GetValue(PoolIntervalMs), parse.GetValue(PoolThreshold), parse.GetValue(PoolMinPool), parse.GetValue(PoolFraction));
    }
}
