using System.CommandLine;
using System.Globalization;
using Mixnode.Cli.Topology;
using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// <c>mixnode testnet --dir DIR</c>: generates a local network (keys, per-node configs, and either the directory
/// authorities' keys and configs or one offline-signed topology), starts every authority and node as its own process, waits until every node's <c>/health/ready</c> says ready and only then writes
/// nodes.json, shows their state, and stops them all on Ctrl-C or after <c>--duration</c>. Whatever happens, every
/// process it started is stopped before it returns. Exit codes: 0 clean stop, 1 generation failed or a node exited on
/// its own during the run, 2 bad arguments, 3 a node failed to start (exited, or not ready within <c>--ready-timeout</c>).
/// </summary>
internal static class TestnetCommand
{
    public const string Name = "testnet";

    /// <summary>
    /// How long System.CommandLine lets the action run after Ctrl-C/SIGTERM before ending the process: long enough
    /// to give every node its SIGTERM grace and then kill it, or the nodes would be orphaned.
    /// </summary>
    public static readonly TimeSpan TerminationTimeout = NodeProcess.StopGrace + TimeSpan.FromSeconds(10);

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
        var duration = new Option<int?>("--duration") { Description = "Stop this many seconds after every node is ready; default: run until Ctrl-C." };
        var basePort = new Option<int>("--base-port")
        {
            Description = "First port; providers take two each (link, client), mixes one, then every node a management port, consecutively on 127.0.0.1.",
            DefaultValueFactory = _ => TestnetSettings.DefaultBasePort,
        };
        var coverRate = new Option<double>("--cover-rate")
        {
            Description = "Loop cover packets each node sends per second (λM in the network document); 0 turns node cover off.",
            DefaultValueFactory = _ => TestnetSettings.DefaultCoverRate,
        };
        var readyTimeout = new Option<int>("--ready-timeout")
        {
            Description = "Seconds the started nodes get to report ready (/health/ready) before the testnet stops them and fails.",
            DefaultValueFactory = _ => TestnetSettings.DefaultReadyTimeoutSeconds,
        };
        var authorities = new Option<int>("--authorities")
        {
            Description = "Directory authorities to run (each its own process; threshold ⌊N/2⌋+1). 0: one offline-signed topology.json instead.",
            DefaultValueFactory = _ => TestnetSettings.DefaultAuthorities,
        };
        var epochSeconds = new Option<int?>("--epoch-seconds") { Description = "Epoch length in seconds (needs authorities); default 1200, Katzenpost's 20 minutes." };
        var mixing = new MixingArguments();
        var command = new Command(Name, "Generate and run a local test network, each node its own process, until Ctrl-C or --duration.")
        {
            dir, layers, perLayer, providers, meanDelay, duration, basePort, coverRate, readyTimeout, authorities, epochSeconds,
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
                parse.GetValue(coverRate),
                parse.GetValue(readyTimeout),
                parse.GetValue(authorities),
                parse.GetValue(epochSeconds)),
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
        long begun = time.GetTimestamp();
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

        TimeSpan generation = time.GetElapsedTime(begun);
        output.WriteLine(layout.HasAuthorities
            ? string.Create(CultureInfo.InvariantCulture, $"testnet: {layout.Nodes.Count(n => n.IsAuthority)} authorities and {layout.Nodes.Count(n => !n.IsAuthority)} nodes in {layout.Directory} (authorities.json, <node>/node.log, <authority>/authority.log; topology.json and nodes.json once every node is ready)")
            : string.Create(CultureInfo.InvariantCulture, $"testnet: {layout.Nodes.Count} nodes in {layout.Directory} (topology.json, <node>/node.log; nodes.json once every node is ready)"));
        var running = new List<NodeProcess>();
        try
        {
            foreach (TestnetNode node in layout.Nodes)
            {
                running.Add(NodeProcess.Start(node, launcher, time));

                // After every start, so a file names each process that runs even if a later start fails or the
                // testnet is killed before nodes.json exists.
                NodesFile.Write(layout.StartingNodesFilePath, layout.Nodes.Select(n => (n, running.FirstOrDefault(r => r.Node == n)?.Pid)));
            }

            var run = new TestnetRun(settings, layout, running, output, error, time, begun, generation);
            return await run.SuperviseAsync(cancellation).ConfigureAwait(false);
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
        final.WriteChanges(nodes, readiness: null);
    }
}
