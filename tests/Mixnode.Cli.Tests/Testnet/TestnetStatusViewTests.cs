using System.Globalization;
using Mixnode.Cli.Testnet;
using Mixnode.Cli.Tests.Keygen;
using Spectre.Console;

namespace Mixnode.Cli.Tests.Testnet;

/// <summary>The readiness column of the status table and of the plain lines, on a stand-in process (sleep).</summary>
public sealed class TestnetStatusViewTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Plain_lines_follow_readiness_as_it_changes_and_only_then()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        (TestnetNode node, NodeProcess process) = StartStandIn();
        using (process)
        {
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            var view = new TestnetStatusView(output, live: false);
            NodeReadiness readiness = NodeReadiness.Starting;

            view.WriteChanges([process], _ => readiness);
            view.WriteChanges([process], _ => readiness);
            readiness = NodeReadiness.Ready;
            view.WriteChanges([process], _ => readiness);
            readiness = new NodeReadiness(NodeReadinessState.NotReady, ["next_layer", "warm_up"], "HTTP 503");
            view.WriteChanges([process], _ => readiness);
            await process.StopAsync();
            view.WriteChanges([process], _ => readiness);

            string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(4, lines.Length);
            Assert.All(lines, l => Assert.StartsWith(node.Name, l, StringComparison.Ordinal));
            Assert.Contains(": running, starting (uptime", lines[0], StringComparison.Ordinal);
            Assert.Contains(": running, ready (uptime", lines[1], StringComparison.Ordinal);
            Assert.Contains(": running, not ready: next_layer, warm_up (uptime", lines[2], StringComparison.Ordinal);

            // Once the process is gone there is nothing to ask: the line has the exit only.
            Assert.Matches(@": exited \(-?\d+\) \(uptime", lines[3]);
        }
    }

    [Fact]
    public void The_table_has_a_ready_column_with_the_failing_checks()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        (_, NodeProcess process) = StartStandIn();
        using (process)
        {
            var readiness = new NodeReadiness(NodeReadinessState.NotReady, ["next_layer"], "HTTP 503");
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
            });
            console.Profile.Width = 200;

            console.Write(TestnetStatusView.BuildTable([process], _ => readiness, "caption"));

            string text = output.ToString();
            Assert.Matches(@"\bstate\b.*\bready\b.*\buptime\b", text);
            Assert.Contains("not ready: next_layer", text, StringComparison.Ordinal);
            Assert.Contains("running", text, StringComparison.Ordinal);
        }
    }

    private (TestnetNode Node, NodeProcess Process) StartStandIn()
    {
        // The launcher's own arguments ("run --config …") become the script's unused positional parameters.
        var launcher = new NodeLauncher("/bin/sh", ["-c", "exec sleep 60", "sh"]);
        TestnetNode node = TestnetGenerator.Plan(new TestnetSettings(_dir.Path, Layers: 1, PerLayer: 1, Providers: 1), _dir.Path)[1];
        Directory.CreateDirectory(node.Directory);
        return (node, NodeProcess.Start(node, launcher, TimeProvider.System));
    }
}
