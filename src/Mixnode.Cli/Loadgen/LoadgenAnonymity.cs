using Mixnode.Cli.Simulate;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// The timing anonymity of a run's delivered messages, for an adversary who sees every send (which client, when:
/// messages, drops and loops alike), every delivery into a mailbox, and knows the route's delay distribution: for a
/// delivery at d, the send at s_i is its origin with probability ∝ f(d − s_i), f = Erlang(delaying hops, mean delay)
/// shifted by the network's own latency; the entropy of that posterior in bits, averaged over the delivered messages.
/// A time-only adversary: it ignores who talks to whom, and the providers are trusted not to tell it which packets
/// were cover. Computed with <see cref="TimingAnonymityEstimator"/> on reversed time (−d as the "sends", −s as the
/// "deliveries"), which turns its per-send entropy over deliveries into the per-delivery entropy over sends.
/// </summary>
internal static class LoadgenAnonymity
{
    /// <summary>
    /// Deliveries scored at most, evenly spread over the run: per-delivery entropies spread by about half a bit, so
    /// the mean of 5,000 is good to about 0.01 bit, and a long fast run is scored in seconds, not minutes.
    /// </summary>
    public const int DefaultMaxScored = 5_000;

    /// <summary>
    /// The estimate, or null when no delivery could be scored. Scored are deliveries from the start of the sends plus
    /// a warm-up (shift + mean path delay + 4 standard deviations: the sends that would have come before the run
    /// otherwise go missing from the candidates) up to the last send (after it, no cover is sent any more, which an
    /// endless real network would never show).
    /// </summary>
    /// <param name="sends">Every send, seconds, ascending.</param>
    /// <param name="deliveries">Every delivered message's arrival, seconds, any order.</param>
    /// <param name="delayingHops">Hops of a route that hold a packet for an Exp(mean) delay.</param>
    /// <param name="meanDelaySeconds">The per-hop mean.</param>
    /// <param name="shiftSeconds">The fixed latency the network adds on top of the delays (negative is taken as 0).</param>
    public static LoadgenAnonymityEstimate? Estimate(
        IReadOnlyList<double> sends,
        IReadOnlyList<double> deliveries,
        int delayingHops,
        double meanDelaySeconds,
        double shiftSeconds,
        int maxScored = DefaultMaxScored)
    {
        ArgumentNullException.ThrowIfNull(sends);
        ArgumentNullException.ThrowIfNull(deliveries);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxScored, 1);
        if (sends.Count == 0 || deliveries.Count == 0 || delayingHops < 1 || !(meanDelaySeconds > 0))
        {
            return null;
        }

        double shift = Math.Max(0, shiftSeconds);
        ErlangDelayDensity density = DelayDensity.Erlang(delayingHops, meanDelaySeconds, shift);
        double warmUp = shift + (delayingHops * meanDelaySeconds) + (4 * Math.Sqrt(delayingHops) * meanDelaySeconds);
        double from = sends[0] + warmUp;
        double to = sends[^1];
        double[] eligible = [.. deliveries.Where(d => d >= from && d <= to).Order()];
        if (eligible.Length == 0)
        {
            return null;
        }

        int stride = (eligible.Length + maxScored - 1) / maxScored;
        int scoredCount = (eligible.Length + stride - 1) / stride;

        // Reversed time: the latest delivery first, as the smallest −d; likewise the sends.
        double[] queries = new double[scoredCount];
        for (int i = 0; i < scoredCount; i++)
        {
            queries[i] = -eligible[eligible.Length - 1 - (i * stride)];
        }

        double[] candidates = new double[sends.Count];
        for (int i = 0; i < candidates.Length; i++)
        {
            candidates[i] = -sends[sends.Count - 1 - i];
        }

        TimingAnonymityEstimate estimate = TimingAnonymityEstimator.Estimate(queries, candidates, density);
        if (double.IsNaN(estimate.MeanEntropyBits))
        {
            return null;
        }

        return new LoadgenAnonymityEstimate(estimate.MeanEntropyBits, estimate.MeanCandidates, estimate.Sends - estimate.SendsWithoutCandidate, shift);
    }
}
