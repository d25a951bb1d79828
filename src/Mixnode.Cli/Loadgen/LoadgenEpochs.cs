using System.Threading.Channels;
using Mixnode.Client;
using Mixnode.Client.Consensus;
using Mixnode.Pki;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// Follows the epochs during a --authorities run: a <see cref="ConsensusFollower"/> fetches each new consensus from
/// 3/4 of the epoch on, and every document it brings (and the first one, as soon as the run's start is known) has the
/// packets due in the epochs it covers rebuilt with its keys and routes (<see cref="LoadgenPackets.Rebuild"/>), one
/// document at a time on one background thread, so the rebuilding never takes more than one core from the nodes
/// being measured. Messages already sent are still counted and waited for.
/// </summary>
internal sealed class LoadgenEpochs : IAsyncDisposable
{
    private readonly ConsensusFollower _follower;
    private readonly LoadgenPackets _packets;
    private readonly DateTimeOffset _runStart;
    private readonly TimeProvider _time;
    private readonly TextWriter _output;
    private readonly Channel<(NetworkTopology Topology, bool RefreshOwnEpoch)> _documents =
        Channel.CreateUnbounded<(NetworkTopology, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop;
    private Task _following = Task.CompletedTask;
    private Task _rebuilding = Task.CompletedTask;
    private int _disposed;

    private LoadgenEpochs(ConsensusFollower follower, LoadgenPackets packets, DateTimeOffset runStart, TimeProvider time, TextWriter output, CancellationToken cancellationToken)
    {
        _follower = follower;
        _packets = packets;
        _runStart = runStart;
        _time = time;
        _output = output;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Switches to a newer consensus seen since the run began.</summary>
    public int EpochChanges => _follower.EpochChanges;

    /// <summary>Starts following from <paramref name="initial"/>, the document the packets were prebuilt with.</summary>
    /// <param name="runStart">The run's time 0 (the pacer's start), on the wall clock the epochs are counted by.</param>
    public static LoadgenEpochs Start(IConsensusSource source, NetworkTopology initial, LoadgenPackets packets, DateTimeOffset runStart, TextWriter output, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var epochs = new LoadgenEpochs(new ConsensusFollower(source, initial, time), packets, runStart, time, output, cancellationToken);
        epochs._follower.Fetched += topology =>
        {
            epochs.Say($"epoch {topology.Document.Epoch}: consensus fetched");
            epochs._documents.Writer.TryWrite((topology, true));
        };
        epochs._follower.Switched += topology => epochs.Say($"epoch {topology.Document.Epoch}: switched to its consensus");

        // The prebuilt packets all carry the build epoch's keys: those due in the next epoch get its keys now.
        epochs._documents.Writer.TryWrite((initial, false));
        epochs._rebuilding = Task.Run(epochs.RebuildLoopAsync);
        epochs._following = epochs._follower.RunAsync(epochs._stop.Token);
        return epochs;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _documents.Writer.TryComplete();
        await _following.ConfigureAwait(false);
        await _rebuilding.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RebuildLoopAsync()
    {
        try
        {
            await foreach ((NetworkTopology topology, bool refresh) in _documents.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                TimeSpan notBefore = (_time.GetUtcNow() - _runStart) + LoadgenPackets.RebuildMargin;
                try
                {
                    int rebuilt = _packets.Rebuild(topology, _runStart, notBefore, refresh, _stop.Token);
                    if (refresh)
                    {
                        Say($"epoch {topology.Document.Epoch}: {rebuilt} packets rebuilt with its consensus's keys and routes");
                    }
                }
                catch (ClientException e)
                {
                    // The old packets stay; they are valid through the previous document's window.
                    Say($"warning: rebuilding packets for epoch {topology.Document.Epoch} failed: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private void Say(string line)
    {
        lock (_output)
        {
            _output.WriteLine(line);
        }
    }
}
