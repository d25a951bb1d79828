using System.Globalization;
using Mixnode.Cli.Simulate;

namespace Mixnode.Tools.AnonymityPlot;

/// <summary>
/// The settings of docs/anonymity.md's table and plot: for each strategy, one knob swept over the range where latency
/// goes from ~10 ms to ~1 s, at 100 and 1,000 packets/s. Every point has its own fixed seed, so a re-run reproduces
/// the document's numbers exactly.
/// </summary>
internal static class Sweep
{
    public const int Packets = 100_000;
    public const int Seed = 1;

    public static readonly double[] Rates = [100, 1000];

    private static readonly double[] MeanDelays = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
    private static readonly double[] Intervals = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
    private static readonly int[] Thresholds = [10, 30, 100, 300, 1000];

    /// <summary>Pool settings beside the plain timed mix (keep none, send all): the testnet default and a deeper pool.</summary>
    private static readonly (int MinPool, double Fraction)[] Pools = [(0, 1), (20, 0.7), (100, 0.5)];

    public static IReadOnlyList<SweepPoint> Run()
    {
        var jobs = new List<Func<SweepPoint>>();
        foreach (double rate in Rates)
        {
            foreach (double d in MeanDelays)
            {
                jobs.Add(() => new SweepPoint(
                    Invariant($"poisson, {rate:N0}/s"), "poisson", rate, Invariant($"--mean-delay {d}"),
                    PoissonMixSimulation.Run(rate, Packets, d, new Random(Seed))));
            }

            foreach ((int minPool, double fraction) in Pools)
            {
                foreach (double t in Intervals)
                {
                    var settings = new TimedPoolSettings(t, 0, minPool, fraction);
                    jobs.Add(() => new SweepPoint(
                        minPool == 0 && fraction == 1
                            ? Invariant($"timed mix (timed-pool, min-pool 0, fraction 1), {rate:N0}/s")
                            : Invariant($"timed-pool, min-pool {minPool}, fraction {fraction}, {rate:N0}/s"), "timed-pool", rate,
                        Invariant($"--interval {t} --threshold 0 --min-pool {minPool} --fraction {fraction}"),
                        TimedPoolSimulation.Run(rate, Packets, settings, new Random(Seed))));
                }
            }

            foreach (int n in Thresholds)
            {
                jobs.Add(() => new SweepPoint(
                    Invariant($"threshold mix (timed-pool, no timer), {rate:N0}/s"), "timed-pool", rate,
                    Invariant($"--interval 0 --threshold {n} --min-pool 0 --fraction 1"),
                    TimedPoolSimulation.Run(rate, Packets, new TimedPoolSettings(0, n, 0, 1), new Random(Seed))));
            }
        }

        var points = new SweepPoint[jobs.Count];
        Parallel.For(0, jobs.Count, i => points[i] = jobs[i]());
        return points;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
