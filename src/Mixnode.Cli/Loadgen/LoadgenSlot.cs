namespace Mixnode.Cli.Loadgen;

/// <summary>
/// One send of one client's plan: when (seconds from the start of the timed phase), what kind, and for a message its
/// sequence number (-1 for cover).
/// </summary>
internal readonly record struct LoadgenSlot(double Seconds, LoadgenPacketKind Kind, int Sequence);
