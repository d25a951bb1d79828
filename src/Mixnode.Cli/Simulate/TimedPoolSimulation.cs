namespace Mixnode.Cli.Simulate;

/// <summary>
/// A timed dynamic pool mix (<see cref="TimedPoolSettings"/>) under Poisson arrivals, scored exactly.
/// </summary>
/// <remarks>
/// The adversary sees every arrival and every flush (its time, and how many packets left) and so knows the pool
/// size n at each flush. A target is in the pool with probability m, 1 when it arrives. Because a flush picks its
/// s packets uniformly from the n waiting, each packet leaving in that flush is the target with probability m/n,
/// and the target is still inside afterwards with probability m(1 − s/n). Following m from flush to flush until
/// it falls below 1e-9 gives the target's whole distribution over departures, and its entropy, exactly: no
/// sampling of the target's own fate is involved. A threshold mix (threshold N, no timer, no pool, fraction 1)
/// therefore scores exactly log2 N. Targets whose m has not drained by the end of the run (the pool's last
/// packets once arrivals stop) are left out rather than renormalised, which would credit them with only the
/// departures seen so far; which targets drain depends only on flush sizes, not on the targets, so this biases
/// nothing but the count, reported as TargetsLeftOut.
/// </remarks>
internal static class TimedPoolSimulation
{
    /// <summary>Probability mass still in the pool below which a target counts as fully accounted for.</summary>
    public const double DrainedMass = 1e-9;

    public static SimulationResult Run(double arrivalRate, int packets, TimedPoolSettings settings, Random random)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(random);
        double[] arrivals = RandomTimes.PoissonArrivals(random, arrivalRate, packets);
        var departures = new double[packets];
        Array.Fill(departures, double.NaN);
        var firstFlush = new int[packets];
        List<PoolFlush> flushes = RunMix(arrivals, settings, random, departures, firstFlush);

        (int start, int end) = TargetSelection.SteadyState(packets);
        int stride = TargetSelection.Stride(packets);
        double sum = 0;
        double min = double.PositiveInfinity;
        int scored = 0;
        int leftOut = 0;
        for (int i = start; i < end; i += stride)
        {
            if (TargetEntropyBits(flushes, firstFlush[i]) is { } bits)
            {
                sum += bits;
                min = Math.Min(min, bits);
                scored++;
            }
            else
            {
                leftOut++;
            }
        }

        var latencies = new List<double>(end - start);
        for (int i = start; i < end; i++)
        {
            if (!double.IsNaN(departures[i]))
            {
                latencies.Add(departures[i] - arrivals[i]);
            }
        }

        return new SimulationResult(
            scored > 0 ? sum / scored : double.NaN,
            scored > 0 ? min : double.NaN,
            scored,
            leftOut,
            AddedLatency.Of(latencies));
    }

    /// <summary>
    /// The target's entropy in bits from the flush it first took part in on, or null if the run ended with more than
    /// <see cref="DrainedMass"/> of it still in the pool.
    /// </summary>
    public static double? TargetEntropyBits(IReadOnlyList<PoolFlush> flushes, int firstFlush)
    {
        ArgumentNullException.ThrowIfNull(flushes);
        double mass = 1;
        double bits = 0;
        for (int k = firstFlush; k < flushes.Count; k++)
        {
            PoolFlush flush = flushes[k];
            double p = mass / flush.PoolSize;
            bits -= flush.Sent * p * Math.Log2(p);
            mass *= 1 - ((double)flush.Sent / flush.PoolSize);
            if (mass < DrainedMass)
            {
                return bits;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs the mix over the arrivals; fills each packet's departure time (NaN if it never left) and the index of the
    /// first flush it was present for, and returns the flushes that sent something.
    /// </summary>
    private static List<PoolFlush> RunMix(double[] arrivals, TimedPoolSettings settings, Random random, double[] departures, int[] firstFlush)
    {
        var flushes = new List<PoolFlush>();
        var pool = new List<int>();
        double interval = settings.Interval;
        long tick = 1;
        int next = 0;
        while (true)
        {
            bool arrivalsLeft = next < arrivals.Length;
            double tickTime = interval > 0 ? tick * interval : double.PositiveInfinity;
            if (!arrivalsLeft && (interval <= 0 || pool.Count <= settings.MinPool))
            {
                // Nothing more can leave: without arrivals the pool only shrinks, and it is at its floor.
                break;
            }

            if (arrivalsLeft && arrivals[next] < tickTime)
            {
                pool.Add(next);
                firstFlush[next] = flushes.Count;
                next++;
                if (settings.Threshold > 0 && pool.Count >= settings.Threshold)
                {
                    Flush(arrivals[next - 1]);
                }

                continue;
            }

            Flush(tickTime);
            tick++;
            if (pool.Count <= settings.MinPool && arrivalsLeft)
            {
                // Ticks until the next arrival find nothing to send; skipping them keeps a tiny interval at a low
                // rate from costing a loop iteration per empty tick. Every remaining tick sends at least one packet,
                // so the loop runs O(packets) times.
                tick = Math.Max(tick, (long)Math.Floor(arrivals[next] / interval) + 1);
            }
        }

        return flushes;

        void Flush(double now)
        {
            int n = pool.Count;
            int sent = settings.SentAt(n);
            if (sent == 0)
            {
                return;
            }

            // A partial Fisher–Yates shuffle moves a uniformly random subset of `sent` packets to the end. They leave
            // together at `now`, so their order on the wire carries nothing the adversary could use.
            for (int i = 0; i < sent; i++)
            {
                int last = n - 1 - i;
                int pick = random.Next(last + 1);
                (pool[pick], pool[last]) = (pool[last], pool[pick]);
                departures[pool[last]] = now;
            }

            pool.RemoveRange(n - sent, sent);
            flushes.Add(new PoolFlush(now, n, sent));
        }
    }
}
