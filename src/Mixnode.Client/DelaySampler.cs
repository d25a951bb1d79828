using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mixnode.Client;

/// <summary>
/// Per-hop NodeDelay drawn from an exponential distribution with the network's mean (1/μ), as Loopix's
/// stop-and-go mixing needs: memorylessness is what makes a packet's departure tell nothing about its arrival.
/// Drawn with the CSPRNG, since the delays are what hides which input became which output. Capped so that a rare
/// long draw cannot outlive the epoch's keys or the node's <c>MaxNodeDelay</c>.
/// </summary>
internal sealed class DelaySampler
{
    /// <summary>Cap in multiples of the mean when none is given: e^-20 of the draws are cut, a bias nobody can measure.</summary>
    public const double DefaultCapInMeans = 20;

    public DelaySampler(double meanMs, double maxMs = double.NaN)
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
        MaxMs = Math.Min(cap, uint.MaxValue);
    }

    public double MeanMs { get; }

    public double MaxMs { get; }

    /// <summary>One NodeDelay in whole milliseconds (what the Sphinx command carries).</summary>
    public uint NextMs() => (uint)Math.Min(Math.Round(NextExponential() * MeanMs), MaxMs);

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
