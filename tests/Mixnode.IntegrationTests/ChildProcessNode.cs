using System.Diagnostics;

namespace Mixnode.IntegrationTests;

/// <summary>A node as its own OS process (<c>dotnet mixnode.dll run …</c>), so a test can kill it with SIGKILL.</summary>
internal sealed class ChildProcessNode : IDisposable
{
    private readonly Process _process;

    private ChildProcessNode(Process process) => _process = process;

    public static ChildProcessNode Start(LocalNetwork network, string name, params string[] extra)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "mixnode.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("run");
        foreach (string setting in network.Settings(name, extra))
        {
            start.ArgumentList.Add(setting);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        // Drain the pipes so a chatty child never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcessNode(process);
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed by the node.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}
