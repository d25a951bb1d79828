namespace Mixnode.Cli.Simulate;

/// <summary>
/// A stop-and-go (Poisson) mix: every packet leaves an independent Exp(D) after it arrived. The adversary sees every
/// arrival and departure and knows D, so for a target that arrived at t_a departure j is it with probability
/// ∝ f(t_j − t_a), f the Exp(D) density: <see cref="TimingAnonymityEstimator"/> with one hop. For λ·D ≫ 1 the
/// entropy approaches log2(e·λ·D): the differential entropy of Exp(D) in bits plus log2 λ.
/// </summary>
internal static class PoissonMixSimulation
{
    public static SimulationResult Run(double arrivalRate, int packets, double meanDelay, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double[] arrivals = RandomTimes.PoissonArrivals(random, arrivalRate, packets);
        var delays = new double[packets];
        var departures = new double[packets];
        for (int i = 0; i < packets; i++)
        {
            delays[i] = RandomTimes.Exponential(random, meanDelay);
            departures[i] = arrivals[i] + delays[i];
        }

        Array.Sort(departures);
        (int start, int end) = TargetSelection.SteadyState(packets);
        int stride = TargetSelection.Stride(packets);
        var targets = new List<double>();
        for (int i = start; i < end; i += stride)
        {
            targets.Add(arrivals[i]);
        }

        // The target's own departure is always inside its window, so every target has a candidate.
        TimingAnonymityEstimate estimate = TimingAnonymityEstimator.Estimate(
            targets.ToArray(), departures, DelayDensity.Erlang(1, meanDelay));
        return new SimulationResult(
            estimate.MeanEntropyBits,
            estimate.MinEntropyBits,
            targets.Count,
            0,
            AddedLatency.Of(new ArraySegment<double>(delays, start, end - start)));
    }
}
