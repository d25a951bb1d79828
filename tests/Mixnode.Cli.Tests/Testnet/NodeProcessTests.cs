using System.Diagnostics;
using System.Globalization;
using Mixnode.Cli.Testnet;
using Mixnode.Cli.Tests.Keygen;

namespace Mixnode.Cli.Tests.Testnet;

/// <summary>Stopping a process that ignores SIGTERM: it and its children are killed once the grace period is over.</summary>
public sealed class NodeProcessTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Nodes_start_with_inline_socket_completions_unless_the_environment_says_otherwise_and_their_own_management_address()
    {
        TestnetNode node = TestnetGenerator.Plan(new TestnetSettings(_dir.Path, Layers: 1, PerLayer: 1, Providers: 1), _dir.Path)[1];
        ProcessStartInfo info = new NodeLauncher("mixnode", []).StartInfo(node);
        string? inherited = Environment.GetEnvironmentVariable(NodeLauncher.InlineCompletionsVariable);
        Assert.Equal(inherited ?? "1", info.Environment[NodeLauncher.InlineCompletionsVariable]);
        Assert.Equal(["run", "--config", node.ConfigPath, "Mixnode:Management:ListenAddress=" + node.ManagementAddress], info.ArgumentList);
    }

    [Fact]
    public async Task A_process_that_ignores_sigterm_is_killed_with_its_children_after_the_grace_period()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // sh ignores SIGTERM (and so does its child, which inherits that); the launcher's own arguments
        // ("run --config …") become the script's unused positional parameters.
        var launcher = new NodeLauncher("/bin/sh", ["-c", "trap '' TERM; sleep 60 & echo $!; wait", "sh"]);
        TestnetNode node = TestnetGenerator.Plan(new TestnetSettings(_dir.Path, Layers: 1, PerLayer: 1, Providers: 1), _dir.Path)[1];
        Directory.CreateDirectory(node.Directory);
        using NodeProcess process = NodeProcess.Start(node, launcher, TimeProvider.System);
        int child = await ReadChildPidAsync(node.LogPath);
        Assert.True(IsAlive(child));

        var stopwatch = Stopwatch.StartNew();
        await process.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(stopwatch.Elapsed >= NodeProcess.StopGrace - TimeSpan.FromMilliseconds(200), $"killed after {stopwatch.Elapsed}, before the grace period");
        Assert.True(process.HasExited);
        Assert.NotEqual(0, process.ExitCode);
        Assert.False(IsAlive(process.Pid));
        for (int i = 0; i < 50 && IsAlive(child); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(IsAlive(child), "the child of the killed process still runs");
        Assert.Contains("killing the process tree", process.LogTail(5), StringComparison.Ordinal);
    }

    private static async Task<int> ReadChildPidAsync(string log)
    {
        for (int i = 0; i < 100; i++)
        {
            string text;
            using (var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                text = await reader.ReadToEndAsync();
            }

            if (int.TryParse(text.Split('\n')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                return pid;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("the child's pid never appeared in the log");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
