namespace Mixnode.Pki;

/// <summary>The epochs, inclusive, for which every node in a document has a published mix key.</summary>
internal readonly record struct EpochRange(long First, long Last)
{
    public long Count => Last - First + 1;

    public bool Contains(long epoch) => epoch >= First && epoch <= Last;

    public override string ToString() => First == Last ? $"epoch {First}" : $"epochs {First}..{Last}";
}
