namespace Mixnode.Cli.Simulate;

/// <summary>
/// The adversary's model of how long a message takes from send to delivery: a probability density f(t) on the
/// delay, in log space, with the interval outside which it is zero or negligible (the estimator's window).
/// </summary>
internal abstract class DelayDensity
{
    /// <summary>f(t) = 0 for t below this.</summary>
    public abstract double MinDelay { get; }

    /// <summary>Beyond this, f(t) is below e^-<see cref="EntropyMath.NegligibleLogRatio"/> of its maximum.</summary>
    public abstract double MaxDelay { get; }

    /// <summary>ln f(t); -∞ where f(t) = 0.</summary>
    public abstract double LogDensity(double t);

    /// <summary>
    /// The sum of <paramref name="hops"/> independent exponential delays of mean <paramref name="meanDelayPerHop"/>
    /// seconds (a route of Poisson mixes), plus a fixed <paramref name="shift"/> for network and processing latency.
    /// </summary>
    public static ErlangDelayDensity Erlang(int hops, double meanDelayPerHop, double shift = 0) => new(hops, meanDelayPerHop, shift);
}
