using System.Globalization;
using Spectre.Console;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// The operator's view of the running nodes. On an interactive terminal a live table redrawn about once a second;
/// otherwise (redirected output, tests) plain lines: the node list once, then one line per change of state, so a log
/// file does not fill with a table per second.
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

    public static Table BuildTable(IReadOnlyList<NodeProcess> nodes, string caption)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var table = new Table().Caption(Markup.Escape(caption));
        foreach (string column in new[] { "name", "role", "layer", "address", "client", "pid", "state", "uptime" })
        {
            table.AddColumn(column);
        }

        foreach (NodeProcess node in nodes)
        {
            string state = State(node);
            string color = node.ExitCode is null ? (node.Stopping ? "yellow" : "green") : node.Stopping ? "grey" : "red";
            table.AddRow(
                Markup.Escape(node.Node.Name),
                node.Node.RoleName,
                node.Node.Layer?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(node.Node.Address),
                Markup.Escape(node.Node.ClientAddress ?? "-"),
                node.Pid.ToString(CultureInfo.InvariantCulture),
                $"[{color}]{Markup.Escape(state)}[/]",
                FormatUptime(node.Uptime));
        }

        return table;
    }

    public static string FormatUptime(TimeSpan uptime) =>
        uptime.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)uptime.TotalHours}:{uptime.Minutes:00}:{uptime.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{uptime.Minutes}:{uptime.Seconds:00}");

    /// <summary>Plain mode: a line per node whose state changed since the last call (every node the first time).</summary>
    public void WriteChanges(IReadOnlyList<NodeProcess> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (NodeProcess node in nodes)
        {
            string state = State(node);
            if (_lastState.TryGetValue(node.Pid, out string? last) && last == state)
            {
                continue;
            }

            _lastState[node.Pid] = state;
            _output.WriteLine(Line(node, state));
        }
    }

    private static string Line(NodeProcess node, string state)
    {
        TestnetNode n = node.Node;
        string layer = n.Layer is { } l ? string.Create(CultureInfo.InvariantCulture, $" layer {l}") : "";
        string client = n.ClientAddress is null ? "" : " client " + n.ClientAddress;
        return string.Create(CultureInfo.InvariantCulture, $"{n.Name,-12} {n.RoleName,-8}{layer} {n.Address}{client} pid {node.Pid}: {state} (uptime {FormatUptime(node.Uptime)})");
    }
}
