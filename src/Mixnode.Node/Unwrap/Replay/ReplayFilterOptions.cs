namespace Mixnode.Node.Unwrap.Replay;

/// <summary>Sizing of the per-mix-key replay filter. Layout and rates: <c>docs/replay-filter.md</c>.</summary>
internal sealed class ReplayFilterOptions
{
    /// <summary>
    /// Packets one mix key is expected to process in its lifetime (e.g. 15 000/s × 1 h ≈ 54 M). Beyond it the
    /// false-positive rate rises; replays are still always refused.
    /// </summary>
    public long Capacity { get; set; } = 54_000_000;

    /// <summary>Probability that a fresh packet is wrongly refused once <see cref="Capacity"/> packets were added.</summary>
    public double FalsePositiveRate { get; set; } = 1e-6;

    /// <summary>
    /// How often the mapped bits are written to disk (msync). A process kill loses nothing regardless (the
    /// bits are in the page cache); this bounds what an OS crash or power loss can lose. Infinite disables it.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
