using System.Buffers.Binary;
using System.Security.Cryptography;
using Mixnode.Pki;

namespace Mixnode.Client;

/// <summary>
/// Per-hop NodeDelay drawn from an exponential distribution with the network's mean (1/μ), as Loopix's
/// stop-and-go mixing needs: memorylessness is what makes a packet's departure tell nothing about its arrival.
/// Drawn with the CSPRNG, since the delays are what hides which input became which output. Capped at the network's
/// <see cref="MixingParameters.MaxDelayMs"/> (a node drops a packet that asks for more) and at half an epoch (a
/// longer wait could outlive the keys the packet was made for). Under a timed pool every draw is 0
/// (<see cref="MixingParameters.ClientsDrawDelays"/>): the pool ignores NodeDelay, and a client that drew delays
/// anyway would only mark its packets.
/// </summary>
internal sealed class DelaySampler
{
    /// <summary>Cap in multiples of the mean when none is given: the network document's cap (e^-20 of the draws are cut, a bias nobody can measure).</summary>
    public const double DefaultCapInMeans = MixingParameters.MaxDelayInMeans;

    private readonly Func<double> _exponential;

    /// <param name="meanMs">The mean per-hop delay in milliseconds.</param>
    /// <param name="maxMs">The largest delay drawn (rounded down to whole milliseconds); NaN = <see cref="DefaultCapInMeans"/> means.</param>
    /// <param name="exponential">Exp(1) draws; <see cref="NextExponential"/> (the CSPRNG) unless a test fixes them.</param>
    public DelaySampler(double meanMs, double maxMs = double.NaN, Func<double>? exponential = null)
    {
        if (!double.IsFinite(meanMs) || meanMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(meanMs), meanMs, "the mean delay must be a positive number of milliseconds");
        }

        double cap = double.IsNaN(maxMs) ? meanMs * DefaultCapInMeans : maxMs;
        if (!(cap >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxMs), maxMs, "the delay cap must not be negative");
        }

        MeanMs = meanMs;

        // Whole milliseconds (what NodeDelay carries), rounded down: a cap of 246.8 ms must never yield 247.
        MaxMs = Math.Floor(Math.Min(cap, uint.MaxValue));
        DrawsDelays = true;
        _exponential = exponential ?? NextExponential;
    }

    private DelaySampler()
    {
        _exponential = NextExponential;
    }

    /// <summary>A sampler whose every draw is 0: what clients put in NodeDelay when the mixes ignore it.</summary>
    public static DelaySampler Zero { get; } = new();

    /// <summary>
    /// The sampler a network asks for: Exp(mean) capped at the document's <see cref="MixingParameters.MaxDelayMs"/>
    /// and at half an epoch, or <see cref="Zero"/> when its clients draw no delays (timed pool).
    /// </summary>
    public static DelaySampler ForTopology(NetworkTopology topology, Func<double>? exponential = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        MixingParameters mixing = topology.Mixing;
        if (!mixing.ClientsDrawDelays)
        {
            return Zero;
        }

        return new DelaySampler(mixing.MeanDelayMs, Math.Min(mixing.MaxDelayMs, topology.EpochPeriod.TotalMilliseconds / 2), exponential);
    }

    /// <summary>The mean of the draws in milliseconds (0 for <see cref="Zero"/>).</summary>
    public double MeanMs { get; }

    /// <summary>The largest draw, whole milliseconds.</summary>
    public double MaxMs { get; }

    /// <summary>False for <see cref="Zero"/>.</summary>
    public bool DrawsDelays { get; }

    /// <summary>One NodeDelay in whole milliseconds (what the Sphinx command carries).</summary>
    public uint NextMs() => DrawsDelays ? (uint)Math.Clamp(Math.Round(_exponential() * MeanMs), 0, MaxMs) : 0;

    /// <summary>A draw from Exp(1) by inversion of a uniform in (0, 1].</summary>
    public static double NextExponential()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(bytes);

        // 53 random bits make every double in (0, 1] on a 2^-53 grid equally likely; 1 − u avoids log(0).
        double u = (BinaryPrimitives.ReadUInt64LittleEndian(bytes) >> 11) * (1.0 / (1UL << 53));
        return -Math.Log(1.0 - u);
    }
}
