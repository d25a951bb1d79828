using System.Diagnostics;
using System.Text;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// One node running as its own OS process, its stdout and stderr appended to its node.log. Stopping asks politely
/// (SIGTERM, so the node flushes its replay filters and closes links) and kills the process tree only if the node has
/// not exited within <see cref="StopGrace"/>.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly Lock _stateLock = new();
    private readonly TimeProvider _time;
    private DateTimeOffset? _exitedAt;
    private int _exitCode;

    private NodeProcess(TestnetNode node, Process process, StreamWriter log, TimeProvider time)
    {
        Node = node;
        _process = process;
        _log = log;
        _time = time;
        StartedAt = time.GetUtcNow();
        Pid = process.Id;
    }

    public TestnetNode Node { get; }

    public int Pid { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Set once <see cref="StopAsync"/> began: an exit after that is the one we asked for.</summary>
    public bool Stopping { get; private set; }

    public bool HasExited
    {
        get
        {
            Refresh();
            return _exitedAt is not null;
        }
    }

    public int? ExitCode
    {
        get
        {
            Refresh();
            return _exitedAt is null ? null : _exitCode;
        }
    }

    public DateTimeOffset? ExitedAt
    {
        get
        {
            Refresh();
            return _exitedAt;
        }
    }

    public TimeSpan Uptime => (ExitedAt ?? _time.GetUtcNow()) - StartedAt;

    /// <summary>Starts the node; the log file is truncated so it holds this run only.</summary>
    public static NodeProcess Start(TestnetNode node, NodeLauncher launcher, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(time);
        StreamWriter log;
        try
        {
            log = new StreamWriter(node.LogPath, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TestnetException($"{node.Name}: cannot write {node.LogPath}: {e.Message}", e);
        }

        var process = new Process { StartInfo = launcher.StartInfo(node), EnableRaisingEvents = true };
        try
        {
            if (!process.Start())
            {
                throw new TestnetException($"{node.Name}: the process did not start");
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            log.Dispose();
            throw new TestnetException($"{node.Name}: cannot start {launcher.FileName}: {e.Message}", e);
        }
        catch
        {
            process.Dispose();
            log.Dispose();
            throw;
        }

        var started = new NodeProcess(node, process, log, time);
        process.Exited += (_, _) => started.Refresh();
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>SIGTERM, up to <see cref="StopGrace"/> to exit, then the whole process tree is killed.</summary>
    public async Task StopAsync()
    {
        Stopping = true;
        if (HasExited)
        {
            await WaitForOutputAsync().ConfigureAwait(false);
            return;
        }

        bool signalled = NativeMethods.TrySendSigTerm(Pid);
        if (signalled)
        {
            using var grace = new CancellationTokenSource(StopGrace);
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                Refresh();
                return;
            }
            catch (OperationCanceledException)
            {
                Append($"testnet: no exit {StopGrace.TotalSeconds:0} s after SIGTERM; killing the process tree");
            }
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        await WaitForOutputAsync().ConfigureAwait(false);
    }

    /// <summary>The last lines of node.log, to show why a node failed.</summary>
    public string LogTail(int lines)
    {
        lock (_logLock)
        {
            _log.Flush();
        }

        try
        {
            using var stream = new FileStream(Node.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            string[] all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(Environment.NewLine, all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(cannot read {Node.LogPath}: {e.Message})";
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }

    private async Task WaitForOutputAsync()
    {
        // Also waits for the redirected streams to reach end of file, so node.log is complete.
        using var bounded = new CancellationTokenSource(StopGrace);
        try
        {
            await _process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A grandchild still holds the pipe; the node itself is gone, which is what matters.
        }

        Refresh();
    }

    private void Refresh()
    {
        lock (_stateLock)
        {
            if (_exitedAt is not null)
            {
                return;
            }

            try
            {
                if (_process.HasExited)
                {
                    _exitCode = _process.ExitCode;
                    _exitedAt = _time.GetUtcNow();
                }
            }
            catch (InvalidOperationException)
            {
                // The Process object was disposed: nothing more to learn.
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output that arrives after shutdown has nowhere to go.
            }
        }
    }
}
