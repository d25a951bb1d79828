using System.CommandLine;
using Mixnode.Cli.Abuse;
using Mixnode.Cli.Authority;
using Mixnode.Cli.Bench;
using Mixnode.Cli.Demo;
using Mixnode.Cli.Keygen;
using Mixnode.Cli.Loadgen;
using Mixnode.Cli.Topology;
using Mixnode.Cli.Run;
using Mixnode.Cli.Simulate;
using Mixnode.Cli.Testnet;
using Mixnode.Cli.Vectors;

namespace Mixnode.Cli;

/// <summary>The root of the <c>mixnode</c> command line; each verb lives in its own folder.</summary>
internal static class MixnodeCommand
{
    /// <summary>Parses and runs a command line; <paramref name="output"/> replaces stdout and stderr (tests).</summary>
    public static int Run(string[] args, TextWriter? output = null)
    {
        var root = new RootCommand("Mixnode: a Katzenpost-compatible Sphinx mix network node.")
        {
            VectorsCommand.Create(),
            BenchCommand.Create(),
            DemoCommand.Create(),
            KeygenCommand.Create(),
            TopologyCommand.Create(),
            RunCommand.Create(),
            TestnetCommand.Create(),
            LoadgenCommand.Create(),
            SimulateCommand.Create(),
            AuthorityCommand.Create(),
            AbuseCommand.Create(),
        };
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
            configuration.Error = output;
        }

        ParseResult parse = root.Parse(args);
        if (parse.CommandResult.Command.Name == TestnetCommand.Name)
        {
            // The default (2 s) would end the process while the testnet still stops its nodes, orphaning them.
            configuration.ProcessTerminationTimeout = TestnetCommand.TerminationTimeout;
        }
        else if (parse.CommandResult.Command.Name == RunCommand.Name)
        {
            // The node's host handles Ctrl-C and SIGTERM itself and drains within Mixnode:ShutdownTimeout; the parser's
            // handler would end the process 2 s in, dropping every packet still held.
            configuration.ProcessTerminationTimeout = null;
        }

        return parse.Invoke(configuration);
    }
}
