using System.Diagnostics;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.IntegrationTests;

/// <summary>
/// A node whose AEZ would run on the table-driven software AES (no AES-NI; forced here with MIXNODE_AES=software)
/// refuses to start, naming the option, and starts when the operator allows it.
/// </summary>
public sealed class SoftwareAesStartupTests : IDisposable
{
    private readonly LocalNetwork _network = ChainTests.CreateNetwork();

    public void Dispose() => _network.Dispose();

    [Fact]
    public async Task Without_aes_ni_the_node_refuses_to_start_unless_allowed()
    {
        using (Process refused = Start())
        {
            (bool exited, string output) = await ReadAllAsync(refused, TimeSpan.FromSeconds(60));
            Assert.True(exited, "the node started on software AES without Mixnode:AllowSoftwareAes");
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("Mixnode:AllowSoftwareAes=true", output, StringComparison.Ordinal);
        }

        using Process allowed = Start("Mixnode:AllowSoftwareAes=true");
        try
        {
            await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(_network, "injector", "mix0", TimeSpan.FromSeconds(30));
            Assert.False(allowed.HasExited);
        }
        finally
        {
            allowed.Kill(entireProcessTree: true);
            await allowed.WaitForExitAsync();
        }
    }

    private Process Start(params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment[AesBackend.EnvironmentVariable] = "software";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mixnode.dll"));
        start.ArgumentList.Add("run");
        foreach (string setting in _network.Settings("mix0", extra))
        {
            start.ArgumentList.Add(setting);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>Everything the process writes until it exits or <paramref name="timeout"/> passes (then it is killed).</summary>
    private static async Task<(bool Exited, string Output)> ReadAllAsync(Process process, TimeSpan timeout)
    {
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
            return (false, await stdout + await stderr);
        }

        return (true, await stdout + await stderr);
    }
}
