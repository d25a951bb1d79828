namespace Mixnode.Node;

/// <summary>What <see cref="PrefixRateLimiter.TryTake"/> found.</summary>
internal enum PrefixTake
{
    Taken,

    /// <summary>The prefix's bucket is empty: it is over its rate.</summary>
    Empty,

    /// <summary>The table holds as many prefixes as it may, all in use or refilling.</summary>
    TableFull,
}
