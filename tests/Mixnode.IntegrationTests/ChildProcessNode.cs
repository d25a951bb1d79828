using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mixnode.IntegrationTests;

/// <summary>
/// A node as its own OS process (<c>dotnet mixnode.dll run …</c>), so a test can kill it with SIGKILL or watch it refuse
/// to start. Its output is drained (a chatty child never blocks on a full pipe) and the first lines are kept, so a test
/// can check a start-up message or fail with the node's own words.
/// </summary>
internal sealed class ChildProcessNode : IDisposable
{
    private const int KeptLines = 1000;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcessNode(Process process) => _process = process;

    /// <summary>What the process wrote so far (stdout and stderr, the first <see cref="KeptLines"/> lines).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public bool HasExited => _process.HasExited;

    public static ChildProcessNode Start(LocalNetwork network, string name, params string[] extra) =>
        Start(network, name, environment: null, extra);

    /// <param name="environment">Variables set for the child only (e.g. to force a code path).</param>
    public static ChildProcessNode Start(LocalNetwork network, string name, IReadOnlyDictionary<string, string>? environment, params string[] extra)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "mixnode.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("run");
        foreach (string setting in network.Settings(name, extra))
        {
            start.ArgumentList.Add(setting);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var node = new ChildProcessNode(process);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>The exit code once the process ends (with all its output read), or null when it still runs after <paramref name="timeout"/> (it is then killed).</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return null;
        }
    }

    /// <summary>A link to the node as the injector member, failing at once (with the node's output) if the process exits instead.</summary>
    public async Task<InjectorLink> ConnectInjectorAsync(LocalNetwork network, string name, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        Task<InjectorLink> connect = InjectorLink.ConnectAsMemberAsync(network, "injector", name, timeout);
        Task exited = _process.WaitForExitAsync(cancel.Token);
        if (await Task.WhenAny(connect, exited) == exited && !connect.IsCompleted)
        {
            Assert.Fail($"{name} exited with {_process.ExitCode} instead of starting: {Output}");
        }

        await cancel.CancelAsync();
        return await connect;
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

    private void Keep(string? line)
    {
        if (line is not null && _output.Count < KeptLines)
        {
            _output.Enqueue(line);
        }
    }
}
