namespace Mixnode.Cli.Vectors;

/// <summary>Counts of one vector run.</summary>
internal sealed class VectorSummary
{
    public int Passed { get; set; }

    public int Failed { get; set; }

    public int Skipped { get; set; }
}
