namespace Mixnode.Cli.Simulate;

/// <summary>
/// A timed dynamic pool mix (Mixmaster; Serjantov and Danezis's "timed dynamic pool"), optionally with a threshold:
/// every <see cref="Interval"/> seconds, or as soon as <see cref="Threshold"/> packets wait, it sends a uniformly random
/// <see cref="SentAt"/> of its n waiting packets and keeps the rest.
/// </summary>
/// <param name="Interval">Seconds between timed flushes, on a fixed grid (threshold flushes do not move it); 0 = no timer.</param>
/// <param name="Threshold">Flush as soon as this many packets wait; 0 = no threshold.</param>
/// <param name="MinPool">Packets always kept back.</param>
/// <param name="Fraction">Share of the packets above <see cref="MinPool"/> sent at a flush, in (0, 1].</param>
internal sealed record TimedPoolSettings(double Interval, int Threshold, int MinPool, double Fraction)
{
    /// <summary>
    /// The timed-pool defaults of <c>mixnode simulate</c> and the testnet's <c>--mixing timed-pool</c>, chosen from
    /// docs/anonymity.md's table: a flush every 100 ms; keeping 20 back and sending 70 % of the rest lets a packet
    /// stay for several rounds. At 1,000/s that is 8.2 bits for 113 ms on average (the Poisson default: 7.1 bits for
    /// 50 ms); at a quiet 100/s the pool still holds 6.4 bits where a plain 100 ms timed mix falls to 3.4.
    /// </summary>
    public static TimedPoolSettings Default { get; } = new(0.1, 0, 20, 0.7);

    /// <summary>
    /// Packets sent from a pool of <paramref name="poolSize"/>: floor(Fraction × (n − MinPool)), but at least one
    /// whenever the pool holds more than MinPool. Without that floor of one, a pool one or two above its minimum
    /// with Fraction 0.7 would send nothing at every flush until more traffic came, so at low rates a packet's
    /// latency would be set by the next arrivals instead of the timer. With Fraction 1 and MinPool 0 it sends all.
    /// The 1e-9 absorbs rounding (0.29 × 100 is 28.999… in binary).
    /// </summary>
    public int SentAt(int poolSize)
    {
        int above = poolSize - MinPool;
        return above <= 0 ? 0 : Math.Clamp((int)Math.Floor((Fraction * above) + 1e-9), 1, above);
    }
}
