using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Mixnode.Cli.Simulate;

/// <summary>
/// <c>mixnode simulate --strategy poisson|timed-pool --arrival-rate L --packets N [--mean-delay D] [--interval T]
/// [--threshold N] [--min-pool M] [--fraction F] [--seed S] [--json]</c>: how much one mix hides a packet from an
/// adversary who sees everything entering and leaving it, and what that costs in added latency (docs/anonymity.md).
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var strategy = new Option<string>("--strategy") { Description = "poisson (stop-and-go, what the node does) or timed-pool (Mixmaster's timed dynamic pool).", Required = true };
        var rate = new Option<double>("--arrival-rate") { Description = "Packets per second arriving at the mix (Poisson).", Required = true };
        var packets = new Option<int>("--packets") { Description = "Packets to simulate (1–10,000,000); the first and last tenth are warm-up.", Required = true };
        var meanDelay = new Option<double>("--mean-delay")
        {
            Description = "poisson: mean of the exponential delay, seconds.",
            DefaultValueFactory = _ => SimulateOptions.DefaultMeanDelay,
        };
        var interval = new Option<double>("--interval")
        {
            Description = "timed-pool: seconds between flushes; 0 = no timer.",
            DefaultValueFactory = _ => TimedPoolSettings.Default.Interval,
        };
        var threshold = new Option<int>("--threshold")
        {
            Description = "timed-pool: flush as soon as this many packets wait; 0 = no threshold.",
            DefaultValueFactory = _ => TimedPoolSettings.Default.Threshold,
        };
        var minPool = new Option<int>("--min-pool")
        {
            Description = "timed-pool: packets always kept back.",
            DefaultValueFactory = _ => TimedPoolSettings.Default.MinPool,
        };
        var fraction = new Option<double>("--fraction")
        {
            Description = "timed-pool: share of the packets above --min-pool sent at each flush, in (0, 1].",
            DefaultValueFactory = _ => TimedPoolSettings.Default.Fraction,
        };
        var seed = new Option<int?>("--seed") { Description = "Seed of the simulation's random numbers (a random one is chosen and printed otherwise)." };
        var json = new Option<bool>("--json") { Description = "End with one JSON line: entropy_bits, effective_anonymity_set, mean_latency_s, p99_latency_s, …" };
        var command = new Command("simulate", "Simulate one mix under a global passive adversary: entropy of a packet's departure and the latency it costs.")
        {
            strategy, rate, packets, meanDelay, interval, threshold, minPool, fraction, seed, json,
        };
        command.SetAction(parse =>
        {
            var options = new SimulateOptions
            {
                StrategyName = parse.GetValue(strategy) ?? "",
                ArrivalRate = parse.GetValue(rate),
                Packets = parse.GetValue(packets),
                MeanDelay = parse.GetValue(meanDelay),
                Pool = new TimedPoolSettings(parse.GetValue(interval), parse.GetValue(threshold), parse.GetValue(minPool), parse.GetValue(fraction)),
                Seed = parse.GetValue(seed),
            };
            return Run(options, parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>Exit code: 0 done, 1 nothing could be scored, 2 bad arguments.</summary>
    public static int Run(SimulateOptions options, bool json, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (options.Validate() is { } problem)
        {
            error.WriteLine(problem);
            return 2;
        }

        // A seed is always used and printed, so any run can be repeated exactly.
        int seed = options.Seed ?? Random.Shared.Next();
        var random = new Random(seed);
        SimulationResult result = options.Strategy == MixStrategy.Poisson
            ? PoissonMixSimulation.Run(options.ArrivalRate, options.Packets, options.MeanDelay, random)
            : TimedPoolSimulation.Run(options.ArrivalRate, options.Packets, options.Pool, random);

        output.WriteLine(Describe(options, seed));
        if (result.Targets == 0)
        {
            error.WriteLine("no target could be scored: the run ended with every steady-state packet still partly in the pool; give more --packets");
            return 1;
        }

        (int start, int end) = TargetSelection.SteadyState(options.Packets);
        output.WriteLine(Invariant($"scored {result.Targets} targets among packets {start}–{end - 1}{(result.TargetsLeftOut > 0 ? $" ({result.TargetsLeftOut} left out: still partly in the pool at the end)" : "")}"));
        output.WriteLine(Invariant($"entropy: mean {result.EntropyBits:F3} bits (min {result.MinEntropyBits:F3}), effective anonymity set {result.EffectiveAnonymitySet:F1}"));
        output.WriteLine(Invariant($"added latency: mean {result.Latency.MeanSeconds:G4} s, p99 {result.Latency.P99Seconds:G4} s"));
        if (Reference(options) is { } reference)
        {
            output.WriteLine(reference);
        }

        if (json)
        {
            output.WriteLine(ToJson(options, seed, result).ToJsonString());
        }

        return 0;
    }

    private static string Describe(SimulateOptions options, int seed)
    {
        string mix = options.Strategy == MixStrategy.Poisson
            ? Invariant($"poisson mix (stop-and-go): exponential delay of mean {options.MeanDelay} s")
            : DescribePool(options.Pool);
        return Invariant($"{mix}; Poisson arrivals at {options.ArrivalRate}/s; {options.Packets} packets; seed {seed}");
    }

    private static string DescribePool(TimedPoolSettings pool)
    {
        var when = new List<string>();
        if (pool.Interval > 0)
        {
            when.Add(Invariant($"every {pool.Interval} s"));
        }

        if (pool.Threshold > 0)
        {
            when.Add(Invariant($"when {pool.Threshold} wait"));
        }

        return Invariant($"timed dynamic pool mix: flush {string.Join(" or ", when)}; keeps {pool.MinPool}, sends {pool.Fraction * 100:0.#} % of the rest");
    }

    /// <summary>The closed form the run can be checked against, where there is one.</summary>
    private static string? Reference(SimulateOptions options)
    {
        if (options.Strategy == MixStrategy.Poisson)
        {
            double lambdaD = options.ArrivalRate * options.MeanDelay;
            return Invariant($"reference for λ·D ≫ 1: log2(e·λ·D) = {Math.Log2(Math.E * lambdaD):F3} bits (λ·D = {lambdaD:G4})");
        }

        TimedPoolSettings pool = options.Pool;
        return pool is { Interval: 0, MinPool: 0, Fraction: 1 }
            ? Invariant($"reference: a threshold mix of {pool.Threshold} scores exactly log2 {pool.Threshold} = {Math.Log2(pool.Threshold):F3} bits")
            : null;
    }

    private static JsonObject ToJson(SimulateOptions options, int seed, SimulationResult result)
    {
        var json = new JsonObject
        {
            ["strategy"] = options.StrategyName,
            ["arrival_rate"] = options.ArrivalRate,
            ["packets"] = options.Packets,
            ["seed"] = seed,
        };
        if (options.Strategy == MixStrategy.Poisson)
        {
            json["mean_delay_s"] = options.MeanDelay;
        }
        else
        {
            json["interval_s"] = options.Pool.Interval;
            json["threshold"] = options.Pool.Threshold;
            json["min_pool"] = options.Pool.MinPool;
            json["fraction"] = options.Pool.Fraction;
        }

        json["targets"] = result.Targets;
        json["targets_left_out"] = result.TargetsLeftOut;
        json["entropy_bits"] = result.EntropyBits;
        json["min_entropy_bits"] = result.MinEntropyBits;
        json["effective_anonymity_set"] = result.EffectiveAnonymitySet;
        json["mean_latency_s"] = result.Latency.MeanSeconds;
        json["p99_latency_s"] = result.Latency.P99Seconds;
        return json;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
