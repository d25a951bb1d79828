using System.Globalization;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// The last answer of one node's <c>/health/ready</c>: the state, the names of the checks its body reported as not
/// healthy, and what went wrong when there was no usable answer (connection refused, timeout, an unexpected status).
/// </summary>
internal sealed record NodeReadiness(NodeReadinessState State, IReadOnlyList<string> FailingChecks, string? Problem)
{
    public static readonly NodeReadiness Starting = new(NodeReadinessState.Starting, [], null);

    public static readonly NodeReadiness Ready = new(NodeReadinessState.Ready, [], null);

    public bool IsReady => State == NodeReadinessState.Ready;

    /// <summary>
    /// For the status table: <c>ready</c>, <c>starting</c>, or <c>not ready: next_layer, warm_up</c>. A node that
    /// answers ready while a check is degraded (some next-layer links up, not all) says which.
    /// </summary>
    public string Summary => State switch
    {
        NodeReadinessState.Ready => FailingChecks.Count > 0 ? "ready (degraded: " + string.Join(", ", FailingChecks) + ")" : "ready",
        NodeReadinessState.Starting => "starting",
        _ => "not ready: " + (FailingChecks.Count > 0 ? string.Join(", ", FailingChecks) : Problem ?? "unknown"),
    };

    /// <summary>For the error when the wait runs out: the failing checks and the problem, whichever are known.</summary>
    public string Explanation => State switch
    {
        NodeReadinessState.Ready => Summary,
        NodeReadinessState.Starting => "never answered" + (Problem is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({Problem})")),
        _ => FailingChecks.Count > 0
            ? "failing checks: " + string.Join(", ", FailingChecks) + (Problem is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({Problem})"))
            : "not ready" + (Problem is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({Problem})")),
    };
}
