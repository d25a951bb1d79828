namespace Mixnode.Cli.Simulate;

/// <summary>Which packets of a run are scored as targets.</summary>
/// <remarks>
/// The first and last tenth are left out: at the start the mix is still filling (fewer packets to hide among than
/// in steady state), at the end later traffic that would have covered a packet never arrives. Of the rest at most
/// <see cref="MaxTargets"/>, evenly spread, are scored: their mean is already within a few thousandths of a bit,
/// and scoring every packet of a long run at high rates would take minutes.
/// </remarks>
internal static class TargetSelection
{
    public const int MaxTargets = 10_000;

    /// <summary>The packets [Start, End) of the run's steady state.</summary>
    public static (int Start, int End) SteadyState(int packets)
    {
        int edge = packets / 10;
        return (edge, packets - edge);
    }

    /// <summary>Every Stride-th packet of the steady state is scored.</summary>
    public static int Stride(int packets)
    {
        (int start, int end) = SteadyState(packets);
        return Math.Max(1, (int)Math.Ceiling((end - start) / (double)MaxTargets));
    }
}
