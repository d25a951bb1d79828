using System.CommandLine;
using System.Globalization;
using Mixnode.Cli.Topology;
using Mixnode.Node.Keys;
using Spectre.Console;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// <c>mixnode testnet --dir DIR</c>: generates a local network (keys, authority, signed topology, per-node configs),
/// starts every node as its own process, shows their state, and stops them all on Ctrl-C or after
/// <c>--duration</c>. Whatever happens, every process it started is stopped before it returns. Exit codes: 0 clean
/// stop, 1 generation failed or a node exited on its own during the run, 2 bad arguments, 3 a node failed to start.
/// </summary>
internal static class TestnetCommand
{
    public const string Name = "testnet";

    /// <summary>A node that exits this soon after the start did not start (bad config, port taken, …).</summary>
    public static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long System.CommandLine lets the action run after Ctrl-C/SIGTERM before ending the process: long enough
    /// to give every node its SIGTERM grace and then kill it, or the nodes would be orphaned.
    /// </summary>
    public static readonly TimeSpan TerminationTimeout = NodeProcess.StopGrace + TimeSpan.FromSeconds(10);

    private const int LogTailLines = 20;

    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "Directory for the generated network (created if missing; existing keys are kept).", Required = true };
        var layers = new Option<int>("--layers") { Description = "Mix layers (1-10).", DefaultValueFactory = _ => 3 };
        var perLayer = new Option<int>("--per-layer") { Description = "Mixes per layer (1-10).", DefaultValueFactory = _ => 1 };
        var providers = new Option<int>("--providers") { Description = "Providers (1-10).", DefaultValueFactory = _ => 2 };
        var meanDelay = new Option<double>("--mean-delay-ms")
        {
            Description = "Mean per-hop Poisson delay written into the topology, in milliseconds.",
            DefaultValueFactory = _ => TestnetSettings.DefaultMeanDelayMs,
        };
        var duration = new Option<int?>("--duration") { Description = "Stop after this many seconds; default: run until Ctrl-C." };
        var basePort = new Option<int>("--base-port")
        {
            Description = "First port; providers take two each (link, client), mixes one, consecutively on 127.0.0.1.",
            DefaultValueFactory = _ => TestnetSettings.DefaultBasePort,
        };
        var coverRate = new Option<double>("--cover-rate")
        {
            Description = "Loop cover packets each node sends per second (λM in the network document); 0 turns node cover off.",
            DefaultValueFactory = _ => TestnetSettings.DefaultCoverRate,
        };
        var mixing = new MixingArguments();
        var command = new Command(Name, "Generate and run a local test network, each node its own process, until Ctrl-C or --duration.")
        {
            dir, layers, perLayer, providers, meanDelay, duration, basePort, coverRate,
        };
        foreach (Option option in mixing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellation) => RunAsync(
            new TestnetSettings(
                parse.GetValue(dir)!,
                parse.GetValue(layers),
                parse.GetValue(perLayer),
                parse.GetValue(providers),
                parse.GetValue(meanDelay),
                parse.GetValue(duration),
                parse.GetValue(basePort),
                parse.GetValue(mixing.Strategy)!,
                parse.GetValue(mixing.PoolIntervalMs),
                parse.GetValue(mixing.PoolThreshold),
                parse.GetValue(mixing.PoolMinPool),
                parse.GetValue(mixing.PoolFraction),
                parse.GetValue(coverRate)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            TimeProvider.System,
            cancellation));
        return command;
    }

    public static async Task<int> RunAsync(TestnetSettings settings, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(time);
        if (settings.Validate() is { Count: > 0 } problems)
        {
            foreach (string problem in problems)
            {
                error.WriteLine(problem);
            }

            return 2;
        }

        TestnetLayout layout;
        NodeLauncher launcher;
        try
        {
            layout = TestnetGenerator.Generate(settings, time);
            launcher = NodeLauncher.Resolve();
        }
        catch (Exception e) when (e is TestnetException or KeyFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"testnet: cannot generate the network: {e.Message}");
            return 1;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"testnet: {layout.Nodes.Count} nodes in {layout.Directory} (topology.json, nodes.json, <node>/node.log)"));
        var running = new List<NodeProcess>();
        try
        {
            foreach (TestnetNode node in layout.Nodes)
            {
                running.Add(NodeProcess.Start(node, launcher, time));

                // After every start, so the file names each process that runs even if a later start fails.
                NodesFile.Write(layout.NodesFilePath, layout.Nodes.Select(n => (n, running.FirstOrDefault(r => r.Node == n)?.Pid)));
            }

            return await SuperviseAsync(settings, running, output, error, time, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TestnetException or IOException or UnauthorizedAccessException or KeyFileException)
        {
            error.WriteLine($"testnet: {e.Message}");
            return 1;
        }
        finally
        {
            // Also on an exception: a process started here must never outlive the command.
            await StopAllAsync(running, output, error).ConfigureAwait(false);
            foreach (NodeProcess node in running)
            {
                node.Dispose();
            }
        }
    }

    private static async Task<int> SuperviseAsync(
        TestnetSettings settings,
        IReadOnlyList<NodeProcess> nodes,
        TextWriter output,
        TextWriter error,
        TimeProvider time,
        CancellationToken cancellation)
    {
        DateTimeOffset allStarted = time.GetUtcNow();
        DateTimeOffset graceEnd = allStarted + StartupGrace;
        DateTimeOffset? deadline = settings.DurationSeconds is { } seconds ? allStarted + TimeSpan.FromSeconds(Math.Max(seconds, StartupGrace.TotalSeconds)) : null;
        var reported = new HashSet<NodeProcess>();
        var failedToStart = new List<NodeProcess>();
        var exitedLater = new List<NodeProcess>();
        var view = new TestnetStatusView(output, TestnetStatusView.CanBeLive(output));
        string caption = deadline is null
            ? $"{settings.Directory}: Ctrl-C stops every node"
            : string.Create(CultureInfo.InvariantCulture, $"{settings.Directory}: stopping after {settings.DurationSeconds} s (or Ctrl-C)");

        // One pass: notice exits, decide whether to go on. Returns false when the run is over.
        bool Check()
        {
            if (cancellation.IsCancellationRequested)
            {
                // Ctrl-C on a terminal reaches the nodes too; their exits are part of stopping, not failures.
                return false;
            }

            DateTimeOffset now = time.GetUtcNow();
            foreach (NodeProcess node in nodes)
            {
                if (node.ExitedAt is { } exitedAt && reported.Add(node))
                {
                    (exitedAt <= graceEnd ? failedToStart : exitedLater).Add(node);
                    if (!view.Live)
                    {
                        WriteExit(node, exitedAt <= graceEnd, error);
                    }
                }
            }

            return failedToStart.Count == 0 && (deadline is null || now < deadline) && exitedLater.Count < nodes.Count;
        }

        if (view.Live)
        {
            await AnsiConsole.Live(TestnetStatusView.BuildTable(nodes, caption)).StartAsync(async live =>
            {
                while (Check())
                {
                    live.UpdateTarget(TestnetStatusView.BuildTable(nodes, caption));
                    live.Refresh();
                    await PauseAsync(time, cancellation).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            foreach (NodeProcess node in failedToStart.Concat(exitedLater))
            {
                WriteExit(node, failedToStart.Contains(node), error);
            }
        }
        else
        {
            output.WriteLine(caption);
            view.WriteChanges(nodes);
            while (Check())
            {
                await PauseAsync(time, cancellation).ConfigureAwait(false);
            }
        }

        if (failedToStart.Count > 0)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"testnet: {failedToStart.Count} node(s) failed to start; stopping the others"));
            return 3;
        }

        return exitedLater.Count > 0 ? 1 : 0;
    }

    private static async Task PauseAsync(TimeProvider time, CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The next check sees the cancellation and ends the run.
        }
    }

    private static void WriteExit(NodeProcess node, bool atStart, TextWriter error)
    {
        string what = atStart ? "failed to start" : "exited unexpectedly";
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"testnet: {node.Node.Name} {what} (exit code {node.ExitCode}); last lines of {node.Node.LogPath}:"));
        string tail = node.LogTail(LogTailLines);
        error.WriteLine(tail.Length == 0 ? "  (empty)" : "  " + tail.Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal));
    }

    private static async Task StopAllAsync(IReadOnlyList<NodeProcess> nodes, TextWriter output, TextWriter error)
    {
        if (nodes.Count == 0)
        {
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"testnet: stopping {nodes.Count} node(s)"));
        await Task.WhenAll(nodes.Select(async node =>
        {
            try
            {
                await node.StopAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                error.WriteLine($"testnet: stopping {node.Node.Name} (pid {node.Pid}) failed: {e.Message}");
            }
        })).ConfigureAwait(false);

        // Final states, in plain lines either way: the live table is gone once the run is over.
        var final = new TestnetStatusView(output, live: false);
        final.WriteChanges(nodes);
    }
}
