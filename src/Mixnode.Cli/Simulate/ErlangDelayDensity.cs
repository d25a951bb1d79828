namespace Mixnode.Cli.Simulate;

/// <summary>
/// Erlang(k, D) shifted by s: f(t) = x^{k-1} e^{-x/D} / (D^k (k-1)!) with x = t - s, the delay of k Poisson-mix
/// hops of mean D each plus a constant. Computed as a logarithm: x^{k-1} and (k-1)! overflow long before the
/// density itself does (k = 200 hops of 1 s), and D^k underflows for millisecond delays.
/// </summary>
internal sealed class ErlangDelayDensity : DelayDensity
{
    public const int MaxHops = 1000;

    private readonly double _logNormaliser;

    public ErlangDelayDensity(int hops, double meanDelayPerHop, double shift)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hops, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hops, MaxHops);
        if (!(meanDelayPerHop > 0 && double.IsFinite(meanDelayPerHop)))
        {
            throw new ArgumentOutOfRangeException(nameof(meanDelayPerHop), meanDelayPerHop, "must be positive and finite");
        }

        if (!(shift >= 0 && double.IsFinite(shift)))
        {
            throw new ArgumentOutOfRangeException(nameof(shift), shift, "must be non-negative and finite");
        }

        Hops = hops;
        MeanDelayPerHop = meanDelayPerHop;
        Shift = shift;
        double logFactorial = 0;
        for (int i = 2; i < hops; i++)
        {
            logFactorial += Math.Log(i);
        }

        _logNormaliser = -(hops * Math.Log(meanDelayPerHop)) - logFactorial;
        MaxDelay = shift + UpperCutoff();
    }

    public int Hops { get; }

    public double MeanDelayPerHop { get; }

    public double Shift { get; }

    public override double MinDelay => Shift;

    public override double MaxDelay { get; }

    public override double LogDensity(double t)
    {
        double x = t - Shift;
        if (x < 0)
        {
            return double.NegativeInfinity;
        }

        double log = _logNormaliser - (x / MeanDelayPerHop);
        if (Hops > 1)
        {
            // x = 0 gives -∞ here, which is right: the density of a sum of two or more delays vanishes at 0.
            log += (Hops - 1) * Math.Log(x);
        }

        return log;
    }

    /// <summary>
    /// The x above the mode (k-1)D where ln f has fallen by <see cref="EntropyMath.NegligibleLogRatio"/>: exactly
    /// 40·D for one hop; by bisection otherwise (the log density is concave, so there is exactly one such x).
    /// </summary>
    private double UpperCutoff()
    {
        double d = MeanDelayPerHop;
        if (Hops == 1)
        {
            return EntropyMath.NegligibleLogRatio * d;
        }

        double mode = (Hops - 1) * d;
        double Drop(double x) => ((Hops - 1) * Math.Log(x / mode)) - ((x - mode) / d);
        double low = mode;
        double high = mode + (EntropyMath.NegligibleLogRatio * d);
        while (Drop(high) > -EntropyMath.NegligibleLogRatio)
        {
            high += high - mode;
        }

        for (int i = 0; i < 200 && high - low > 1e-12 * high; i++)
        {
            double middle = 0.5 * (low + high);
            if (Drop(middle) > -EntropyMath.NegligibleLogRatio)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return high;
    }
}
