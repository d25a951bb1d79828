namespace Mixnode.Cli.Testnet;

/// <summary>Where a node stands according to its <c>/health/ready</c>.</summary>
internal enum NodeReadinessState
{
    /// <summary>No answer yet, and never ready: the process is still coming up.</summary>
    Starting,

    /// <summary>Answered 200.</summary>
    Ready,

    /// <summary>Answered something else (503 while a check fails), or stopped answering after it had answered.</summary>
    NotReady,
}
