namespace Mixnode.Node.Management;

/// <summary>One part of "ready", each a named health check (the names are a closed set: they appear in /health/ready).</summary>
public enum ReadinessCondition
{
    /// <summary>The link key and a mix key for the current epoch are loaded.</summary>
    Keys,

    /// <summary>The network document lists this node and covers the current epoch.</summary>
    Network,

    /// <summary>The link listener (and a provider's client listener) accept connections.</summary>
    Listeners,

    /// <summary>Links to the next layer are established: all of them (healthy), some (degraded), none (unhealthy).</summary>
    NextLayer,

    /// <summary>The start-up self-test through the unwrap path passed.</summary>
    WarmUp,
}

internal static class ReadinessConditionNames
{
    public static string ToName(this ReadinessCondition condition) => condition switch
    {
        ReadinessCondition.Keys => "keys",
        ReadinessCondition.Network => "network",
        ReadinessCondition.Listeners => "listeners",
        ReadinessCondition.NextLayer => "next_layer",
        ReadinessCondition.WarmUp => "warm_up",
        _ => "other",
    };
}
