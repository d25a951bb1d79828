namespace Mixnode.Cli.Testnet;

/// <summary>How <see cref="ReadinessPoller.WaitUntilAllReadyAsync"/> ended.</summary>
internal enum ReadinessWaitResult
{
    AllReady,

    /// <summary>The bound passed with at least one node not ready.</summary>
    TimedOut,

    /// <summary>The caller stopped the wait (a node exited, Ctrl-C).</summary>
    Aborted,
}
