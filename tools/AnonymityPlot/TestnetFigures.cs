using System.Globalization;
using Mixnode.Cli.Simulate;

namespace Mixnode.Tools.AnonymityPlot;

/// <summary>
/// What the testnet's settings buy at its usual loads. With one mix per layer every packet crosses every mix, so
/// each mix sees the whole offered rate; each of the two providers sees about half as entry. End to end, an
/// adversary watching only clients' sends and recipients' deliveries faces the sum of the four delayed hops
/// (every hop but the last is delayed): Erlang(4, 50 ms), scored with <see cref="TimingAnonymityEstimator"/> on a
/// synthetic run.
/// </summary>
internal static class TestnetFigures
{
    public const double MeanDelay = 0.05;
    public const int DelayedHops = 4;

    public static readonly double[] OfferedRates = [1000, 3000];

    public static IEnumerable<string> MarkdownRows()
    {
        foreach (double offered in OfferedRates)
        {
            foreach ((string node, double rate) in new[] { ("mix (each layer)", offered), ("entry provider (1 of 2)", offered / 2) })
            {
                SimulationResult poisson = PoissonMixSimulation.Run(rate, Sweep.Packets, MeanDelay, new Random(Sweep.Seed));
                SimulationResult pool = TimedPoolSimulation.Run(rate, Sweep.Packets, TimedPoolSettings.Default, new Random(Sweep.Seed));
                yield return Invariant($"| {offered:N0}/s | {node}, {rate:N0}/s | {Cell(poisson)} | {Cell(pool)} |");
            }

            TimingAnonymityEstimate route = EndToEnd(offered);
            yield return Invariant($"| {offered:N0}/s | end to end, Erlang({DelayedHops}, {MeanDelay * 1000:0} ms) | {route.MeanEntropyBits:F2} bits (set {route.EffectiveAnonymitySet:N0}), mean {DelayedHops * MeanDelay:0.###} s | — |");
        }
    }

    /// <summary>Poisson sends at the offered rate for 60 s, each delivered after four exponential hops.</summary>
    public static TimingAnonymityEstimate EndToEnd(double rate)
    {
        var random = new Random(Sweep.Seed);
        double[] sends = RandomTimes.PoissonArrivals(random, rate, (int)(rate * 60));
        double[] deliveries = [.. sends.Select(s => s + Enumerable.Range(0, DelayedHops).Sum(_ => RandomTimes.Exponential(random, MeanDelay))).Order()];
        (int start, int end) = TargetSelection.SteadyState(sends.Length);
        int stride = TargetSelection.Stride(sends.Length);
        double[] scored = [.. Enumerable.Range(0, ((end - start - 1) / stride) + 1).Select(k => sends[start + (k * stride)])];
        return TimingAnonymityEstimator.Estimate(scored, deliveries, DelayDensity.Erlang(DelayedHops, MeanDelay));
    }

    /// <summary>
    /// Differential entropy of Erlang(k, D) in bits: (1 − k)ψ(k) + ln Γ(k) + k + ln D nats, with
    /// ψ(k) = −γ + Σ_{i&lt;k} 1/i. Adding log2 λ gives what a send hides among at rate λ when λ·D is large.
    /// </summary>
    public static double ErlangEntropyBits(int k, double meanDelay)
    {
        const double EulerGamma = 0.5772156649015329;
        double digamma = -EulerGamma;
        double logGamma = 0;
        for (int i = 1; i < k; i++)
        {
            digamma += 1.0 / i;
            logGamma += Math.Log(i);
        }

        return (((1 - k) * digamma) + logGamma + k + Math.Log(meanDelay)) / Math.Log(2);
    }

    private static string Cell(SimulationResult r) =>
        Invariant($"{r.EntropyBits:F2} bits (set {r.EffectiveAnonymitySet:N0}), mean {r.Latency.MeanSeconds * 1000:0} ms, p99 {r.Latency.P99Seconds * 1000:0} ms");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
