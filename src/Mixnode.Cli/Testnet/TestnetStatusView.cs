using System.Globalization;
using Spectre.Console;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// The operator's view of the running nodes: process state and readiness (the node's own <c>/health/ready</c>). On an
/// interactive terminal a live table redrawn about once a second (more often while nodes start); otherwise
/// (redirected output, tests) plain lines: the node list once, then one line per change of state or readiness, so a
/// log file does not fill with a table per second.
/// </summary>
internal sealed class TestnetStatusView
{
    private readonly TextWriter _output;
    private readonly Dictionary<int, string> _lastState = [];

    public TestnetStatusView(TextWriter output, bool live)
    {
        _output = output;
        Live = live;
    }

    public bool Live { get; }

    /// <summary>Live only when writing to the real console of an interactive terminal.</summary>
    public static bool CanBeLive(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static string State(NodeProcess node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.ExitCode is { } code
            ? string.Create(CultureInfo.InvariantCulture, $"exited ({code})")
            : node.Stopping ? "stopping" : "running";
    }

    /// <summary><c>ready</c>, <c>starting</c>, <c>not ready: …</c>; null once the process has exited (nothing to ask).</summary>
    public static string? Readiness(NodeProcess node, Func<TestnetNode, NodeReadiness>? readiness)
    {
        ArgumentNullException.ThrowIfNull(node);
        return readiness is null || node.ExitCode is not null ? null : readiness(node.Node).Summary;
    }

    public static Table BuildTable(IReadOnlyList<NodeProcess> nodes, Func<TestnetNode, NodeReadiness> readiness, string caption)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(readiness);
        var table = new Table().Caption(Markup.Escape(caption));
        foreach (string column in new[] { "name", "role", "layer", "address", "client", "pid", "state", "ready", "uptime" })
        {
            table.AddColumn(column);
        }

        foreach (NodeProcess node in nodes)
        {
            string state = State(node);
            string color = node.ExitCode is null ? (node.Stopping ? "yellow" : "green") : node.Stopping ? "grey" : "red";
            string ready = Readiness(node, readiness) is { } summary
                ? $"[{ReadinessColor(readiness(node.Node).State)}]{Markup.Escape(summary)}[/]"
                : "-";
            table.AddRow(
                Markup.Escape(node.Node.Name),
                node.Node.RoleName,
                node.Node.Layer?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(node.Node.Address),
                Markup.Escape(node.Node.ClientAddress ?? "-"),
                node.Pid.ToString(CultureInfo.InvariantCulture),
                $"[{color}]{Markup.Escape(state)}[/]",
                ready,
                FormatUptime(node.Uptime));
        }

        return table;
    }

    public static string FormatUptime(TimeSpan uptime) =>
        uptime.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)uptime.TotalHours}:{uptime.Minutes:00}:{uptime.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{uptime.Minutes}:{uptime.Seconds:00}");

    /// <summary>
    /// Plain mode: a line per node whose state or readiness changed since the last call (every node the first time).
    /// Without <paramref name="readiness"/> the lines carry the process state only.
    /// </summary>
    public void WriteChanges(IReadOnlyList<NodeProcess> nodes, Func<TestnetNode, NodeReadiness>? readiness)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (NodeProcess node in nodes)
        {
            string state = Readiness(node, readiness) is { } summary ? State(node) + ", " + summary : State(node);
            if (_lastState.TryGetValue(node.Pid, out string? last) && last == state)
            {
                continue;
            }

            _lastState[node.Pid] = state;
            _output.WriteLine(Line(node, state));
        }
    }

    private static string ReadinessColor(NodeReadinessState state) => state switch
    {
        NodeReadinessState.Ready => "green",
        NodeReadinessState.Starting => "yellow",
        _ => "red",
    };

    private static string Line(NodeProcess node, string state)
    {
        TestnetNode n = node.Node;
        string layer = n.Layer is { } l ? string.Create(CultureInfo.InvariantCulture, $" layer {l}") : "";
        string client = n.ClientAddress is null ? "" : " client " + n.ClientAddress;
        return string.Create(CultureInfo.InvariantCulture, $"{n.Name,-12} {n.RoleName,-8}{layer} {n.Address}{client} pid {node.Pid}: {state} (uptime {FormatUptime(node.Uptime)})");
    }
}
