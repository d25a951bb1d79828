namespace Mixnode.Cli.Vectors;

/// <summary>The verdict on one case of a vector file.</summary>
internal enum VectorOutcome
{
    Pass,
    Fail,
    Skip,
}
