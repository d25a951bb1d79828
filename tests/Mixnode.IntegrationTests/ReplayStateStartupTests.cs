using System.Diagnostics;
using Mixnode.Node.Unwrap.Replay;

namespace Mixnode.IntegrationTests;

/// <summary>
/// A node whose replay filter was deleted or emptied behind its back refuses to start (exit 2, one message naming the
/// file) instead of starting with an empty filter that would let every packet of the current key be replayed.
/// </summary>
public sealed class ReplayStateStartupTests : IDisposable
{
    private readonly LocalNetwork _network = ChainTests.CreateNetwork();

    public void Dispose() => _network.Dispose();

    [Theory]
    [InlineData("deleted", "missing, but its mix key already had a filter")]
    [InlineData("emptied", "shorter than the 4096-byte header")]
    public async Task A_node_whose_replay_filter_was_lost_refuses_to_start(string damage, string expected)
    {
        // A first life: the node makes its filters (and their markers) before it listens.
        using (ChildProcessNode first = ChildProcessNode.Start(_network, "mix0"))
        {
            await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(_network, "injector", "mix0", TimeSpan.FromSeconds(30));
            first.Kill();
        }

        string filter = ReplayFilter.PathFor(_network.StateDirectory("mix0"), (ulong)ChainTests.CurrentEpoch(_network));
        Assert.True(File.Exists(filter));
        if (damage == "deleted")
        {
            File.Delete(filter);
        }
        else
        {
            File.WriteAllBytes(filter, []);
        }

        (int? exit, string output) = await RunAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit is not null, "the node started without its replay filter");
        Assert.Equal(2, exit);
        Assert.Contains(filter, output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    /// <summary><c>mixnode run</c> as a child process (killed if still running after <paramref name="timeout"/>: it started).</summary>
    private async Task<(int? Exit, string Output)> RunAsync(TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mixnode.dll"));
        start.ArgumentList.Add("run");
        foreach (string setting in _network.Settings("mix0"))
        {
            start.ArgumentList.Add(setting);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (null, await stdout + await stderr);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
