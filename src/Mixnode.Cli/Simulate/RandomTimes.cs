namespace Mixnode.Cli.Simulate;

/// <summary>The simulation's random times. System.Random is fine here: it models traffic, it does not protect any.</summary>
internal static class RandomTimes
{
    /// <summary>An exponential draw of the given mean (inverse transform; 1 − U is in (0, 1], so the log is finite).</summary>
    public static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());

    /// <summary>The first <paramref name="count"/> arrival times of a Poisson process of the given rate, from time 0.</summary>
    public static double[] PoissonArrivals(Random random, double rate, int count)
    {
        var times = new double[count];
        double t = 0;
        for (int i = 0; i < count; i++)
        {
            t += Exponential(random, 1 / rate);
            times[i] = t;
        }

        return times;
    }
}
