namespace Mixnode.Pki;

/// <summary>How every mix of a network holds and reorders packets; named by the signed network document.</summary>
internal enum MixingStrategy
{
    /// <summary>
    /// Stop-and-go (Loopix): each packet leaves after the per-hop delay its sender drew from Exp(mean); packets
    /// released together leave in a random order. Memorylessness makes a departure say nothing about which arrival it was.
    /// </summary>
    Poisson,

    /// <summary>
    /// Timed dynamic pool (Mixmaster, Serjantov–Danezis): every interval, or as soon as a threshold of packets wait,
    /// a random fraction of what exceeds the minimum pool leaves, shuffled. Senders put delay 0 in their packets.
    /// </summary>
    TimedPool,
}

/// <summary>The document's spelling of each strategy.</summary>
internal static class MixingStrategyNames
{
    public const string Poisson = "poisson";

    public const string TimedPool = "timed-pool";

    public static string ToName(this MixingStrategy strategy) => strategy switch
    {
        MixingStrategy.Poisson => Poisson,
        MixingStrategy.TimedPool => TimedPool,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown mixing strategy"),
    };

    /// <summary>Null for a name that is neither.</summary>
    public static MixingStrategy? Parse(string? name) => name switch
    {
        Poisson => MixingStrategy.Poisson,
        TimedPool => MixingStrategy.TimedPool,
        _ => null,
    };
}
