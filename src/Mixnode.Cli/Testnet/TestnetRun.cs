using System.Globalization;
using Mixnode.Pki;
using Spectre.Console;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// Supervises the started nodes of one <c>mixnode testnet</c> run. First it waits, polling every node's
/// <c>/health/ready</c>, until all are ready: only then is nodes.json written (scripts wait for it) and the time since
/// the command started printed. A node that exits before that failed to start, as does one not ready within
/// <c>--ready-timeout</c> (exit 3). Then it keeps watching exits and readiness until Ctrl-C or the end of
/// <c>--duration</c>, counted from the moment all were ready. Stopping the nodes is the caller's part.
/// </summary>
internal sealed class TestnetRun
{
    /// <summary>
    /// How often readiness is asked while nodes start: a node is ready within a few seconds and the time to nodes.json
    /// is what scripts wait for, so the wait should not add much to it; one request per node per round stays cheap.
    /// </summary>
    public static readonly TimeSpan StartingPollInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>Once all are ready: the status table's cadence, which is all the readiness column needs.</summary>
    public static readonly TimeSpan RunningPollInterval = TimeSpan.FromSeconds(1);

    private const int LogTailLines = 20;

    /// <summary>Fewer lines per node when several never became ready: where their logs are matters more than detail.</summary>
    private const int NotReadyLogTailLines = 5;

    private readonly TestnetSettings _settings;
    private readonly TestnetLayout _layout;
    private readonly IReadOnlyList<NodeProcess> _nodes;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly TimeProvider _time;
    private readonly long _begun;
    private readonly TimeSpan _generation;
    private readonly TestnetStatusView _view;
    private readonly HashSet<NodeProcess> _reported = [];
    private readonly List<NodeProcess> _failedToStart = [];
    private readonly List<NodeProcess> _exitedLater = [];
    private bool _ready;
    private long _readyAt;
    private string _caption;

    /// <param name="begun">The command's start (<see cref="TimeProvider.GetTimestamp"/>): the ready time counts from it.</param>
    /// <param name="generation">How much of that went into generating the network, for the ready line.</param>
    public TestnetRun(
        TestnetSettings settings,
        TestnetLayout layout,
        IReadOnlyList<NodeProcess> nodes,
        TextWriter output,
        TextWriter error,
        TimeProvider time,
        long begun,
        TimeSpan generation)
    {
        _settings = settings;
        _layout = layout;
        _nodes = nodes;
        _output = output;
        _error = error;
        _time = time;
        _begun = begun;
        _generation = generation;
        _view = new TestnetStatusView(output, TestnetStatusView.CanBeLive(output));
        _caption = string.Create(
            CultureInfo.InvariantCulture,
            $"{settings.Directory}: waiting up to {settings.ReadyTimeoutSeconds} s for every node to report ready (Ctrl-C stops every node)");
    }

    /// <summary>Exit code: 0 stopped as asked, 1 a node exited during the run, 3 a node failed to start or to become ready.</summary>
    public async Task<int> SuperviseAsync(CancellationToken cancellation)
    {
        using var readiness = new ReadinessPoller(_layout.Nodes, _time, ReadinessPoller.DefaultRequestTimeout);
        ReadinessWaitResult wait;
        if (_view.Live)
        {
            wait = ReadinessWaitResult.Aborted;
            await AnsiConsole.Live(TestnetStatusView.BuildTable(_nodes, readiness.Current, _caption)).StartAsync(async live =>
            {
                void Show()
                {
                    live.UpdateTarget(TestnetStatusView.BuildTable(_nodes, readiness.Current, _caption));
                    live.Refresh();
                }

                wait = await WatchAsync(readiness, Show, cancellation).ConfigureAwait(false);
            }).ConfigureAwait(false);

            // The live table owned the screen until now.
            foreach (NodeProcess node in _failedToStart.Concat(_exitedLater))
            {
                WriteExit(node, _failedToStart.Contains(node));
            }
        }
        else
        {
            _output.WriteLine(_caption);
            wait = await WatchAsync(readiness, () => _view.WriteChanges(_nodes, readiness.Current), cancellation).ConfigureAwait(false);
        }

        if (_failedToStart.Count > 0)
        {
            _error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"testnet: {_failedToStart.Count} node(s) failed to start; stopping the others"));
            return 3;
        }

        if (wait == ReadinessWaitResult.TimedOut)
        {
            WriteNotReady(readiness.Pending);
            return 3;
        }

        return _exitedLater.Count > 0 ? 1 : 0;
    }

    private async Task<ReadinessWaitResult> WatchAsync(ReadinessPoller readiness, Action show, CancellationToken cancellation)
    {
        ReadinessWaitResult wait = await readiness.WaitUntilAllReadyAsync(
            TimeSpan.FromSeconds(_settings.ReadyTimeoutSeconds),
            StartingPollInterval,
            () =>
            {
                bool go = Check(cancellation);
                show();
                return go;
            },
            cancellation).ConfigureAwait(false);
        if (wait != ReadinessWaitResult.AllReady)
        {
            return wait;
        }

        using ConsensusMirror? mirror = _layout.HasAuthorities ? new ConsensusMirror(_layout.AuthoritiesFilePath, _layout.TopologyPath) : null;
        if (mirror is not null && !await CopyFirstConsensusAsync(mirror, cancellation).ConfigureAwait(false))
        {
            return cancellation.IsCancellationRequested ? ReadinessWaitResult.Aborted : ReadinessWaitResult.TimedOut;
        }

        TimeSpan took = _time.GetElapsedTime(_begun);
        NodesFile.Write(_layout.NodesFilePath, _nodes, mirror?.Layers());
        File.Delete(_layout.StartingNodesFilePath);
        _ready = true;
        _readyAt = _time.GetTimestamp();
        string readyLine = string.Create(
            CultureInfo.InvariantCulture,
            $"all {_nodes.Count} nodes ready in {took.TotalSeconds:0.0} s ({_generation.TotalSeconds:0.0} s generating, {(took - _generation).TotalSeconds:0.0} s starting)");
        string stopping = _settings.DurationSeconds is { } seconds
            ? string.Create(CultureInfo.InvariantCulture, $"stopping after {seconds} s (or Ctrl-C)")
            : "Ctrl-C stops every node";
        _caption = $"{_settings.Directory}: {readyLine}; {stopping}";
        if (!_view.Live)
        {
            _output.WriteLine($"testnet: {readyLine}; wrote {_layout.NodesFilePath}");
            _output.WriteLine($"{_settings.Directory}: {stopping}");
        }

        show();
        while (true)
        {
            await PauseAsync(cancellation).ConfigureAwait(false);
            await readiness.PollOnceAsync(cancellation).ConfigureAwait(false);
            if (mirror is not null)
            {
                long copied = mirror.Current!.Epoch;
                await mirror.RefreshAsync(cancellation).ConfigureAwait(false);
                if (mirror.Current.Epoch != copied)
                {
                    NodesFile.Write(_layout.NodesFilePath, _nodes, mirror.Layers());
                }
            }

            if (!Check(cancellation))
            {
                return wait;
            }

            show();
        }
    }

    /// <summary>
    /// Every node is ready, so each has a consensus: copy it to topology.json before nodes.json says the network is up
    /// (scripts read both). Bounded by what is left of <c>--ready-timeout</c>.
    /// </summary>
    private async Task<bool> CopyFirstConsensusAsync(ConsensusMirror mirror, CancellationToken cancellation)
    {
        TimeSpan left = TimeSpan.FromSeconds(_settings.ReadyTimeoutSeconds) - _time.GetElapsedTime(_begun) + _generation;
        long deadline = _time.GetTimestamp();
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                if (await mirror.RefreshAsync(cancellation).ConfigureAwait(false))
                {
                    return true;
                }
            }
            catch (TopologyException e)
            {
                _error.WriteLine($"testnet: the authorities' document was refused: {e.Message}");
            }

            if (_time.GetElapsedTime(deadline) > left)
            {
                _error.WriteLine("testnet: every node is ready but no authority served a consensus within --ready-timeout");
                return false;
            }

            try
            {
                await Task.Delay(StartingPollInterval, _time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>One pass: notice exits, decide whether to go on. Returns false when the run is over.</summary>
    private bool Check(CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested)
        {
            // Ctrl-C on a terminal reaches the nodes too; their exits are part of stopping, not failures.
            return false;
        }

        foreach (NodeProcess node in _nodes)
        {
            if (node.ExitedAt is not null && _reported.Add(node))
            {
                // Before every node was ready, an exit means the node never came up properly.
                (_ready ? _exitedLater : _failedToStart).Add(node);
                if (!_view.Live)
                {
                    WriteExit(node, !_ready);
                }
            }
        }

        bool durationOver = _ready && _settings.DurationSeconds is { } seconds && _time.GetElapsedTime(_readyAt) >= TimeSpan.FromSeconds(seconds);
        return _failedToStart.Count == 0 && !durationOver && _exitedLater.Count < _nodes.Count;
    }

    private async Task PauseAsync(CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(RunningPollInterval, _time, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The next check sees the cancellation and ends the run.
        }
    }

    private void WriteExit(NodeProcess node, bool atStart)
    {
        string what = atStart ? "failed to start" : "exited unexpectedly";
        _error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"testnet: {node.Node.Name} {what} (exit code {node.ExitCode}); last lines of {node.Node.LogPath}:"));
        WriteTail(node.LogTail(LogTailLines));
    }

    private void WriteNotReady(IReadOnlyList<(TestnetNode Node, NodeReadiness Readiness)> pending)
    {
        _error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"testnet: {pending.Count} of {_nodes.Count} node(s) not ready after {_settings.ReadyTimeoutSeconds} s (--ready-timeout); stopping every node"));
        foreach ((TestnetNode node, NodeReadiness readiness) in pending)
        {
            _error.WriteLine($"testnet: {node.Name} not ready: {readiness.Explanation} ({node.ReadyUrl}); last lines of {node.LogPath}:");
            NodeProcess? process = _nodes.FirstOrDefault(n => n.Node == node);
            WriteTail(process?.LogTail(NotReadyLogTailLines) ?? "");
        }
    }

    private void WriteTail(string tail) =>
        _error.WriteLine(tail.Length == 0 ? "  (empty)" : "  " + tail.Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal));
}
