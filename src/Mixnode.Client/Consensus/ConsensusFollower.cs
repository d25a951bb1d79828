using Mixnode.Pki;

namespace Mixnode.Client.Consensus;

/// <summary>
/// Follows the network from epoch to epoch. During epoch E it asks for the document of E + 1 from
/// <see cref="PollFraction"/> of E on (the authorities publish it by 6/8 of E), every <see cref="RetryInterval"/>
/// until it has it, announces it at once (<see cref="Fetched"/>: packets for E + 1 can be built ahead) and switches
/// to it when E + 1 begins (<see cref="Switched"/>). A document that never came is asked for again during its own
/// epoch and used as soon as it arrives; meanwhile the previous one stays in use, which its validity window
/// (E..E + 1) allows for one missed consensus. Timed by a <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
internal sealed class ConsensusFollower
{
    /// <summary>Polling for the next epoch's document starts this far into the current epoch.</summary>
    public const double PollFraction = 0.75;

    /// <summary>The shortest timer set: a shorter one would spin.</summary>
    private static readonly TimeSpan s_minimumWait = TimeSpan.FromMilliseconds(1);

    private readonly IConsensusSource _source;
    private readonly TimeProvider _time;
    private NetworkTopology _current;
    private int _epochChanges;

    public ConsensusFollower(IConsensusSource source, NetworkTopology initial, TimeProvider time, TimeSpan? retryInterval = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(time);
        _source = source;
        _current = initial;
        _time = time;

        // A few tries between the publish deadline (6/8) and the boundary, however long the epoch.
        RetryInterval = retryInterval ?? TimeSpan.FromTicks(Math.Clamp(initial.EpochPeriod.Ticks / 40, TimeSpan.TicksPerMillisecond * 250, TimeSpan.TicksPerSecond * 5));
    }

    public TimeSpan RetryInterval { get; }

    /// <summary>The document in use now.</summary>
    public NetworkTopology Current => Volatile.Read(ref _current);

    /// <summary>Switches made to a newer document since the start.</summary>
    public int EpochChanges => Volatile.Read(ref _epochChanges);

    /// <summary>A newer document verified, before its epoch begins (or, when it came late, just before <see cref="Switched"/>).</summary>
    public event Action<NetworkTopology>? Fetched;

    /// <summary>The document now in use changed (its epoch has begun). Runs on the follower's task; must not block.</summary>
    public event Action<NetworkTopology>? Switched;

    /// <summary>Follows until <paramref name="cancellationToken"/> is canceled (then completes without throwing).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await StepAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One epoch's work: wait for the polling window, fetch the wanted document, switch to it at its epoch.</summary>
    private async Task StepAsync(CancellationToken cancellationToken)
    {
        NetworkTopology current = Current;
        var clock = new EpochClock(_time, current.EpochPeriod);
        long now = clock.Current;

        // Behind (a consensus was missed, or the first document is older): catch up on the current epoch's at once.
        // Otherwise the epoch after the newest we hold: the clock may read an instant before a boundary we have
        // already switched at (timers and the wall clock differ by a little), and the same document must not be
        // fetched and switched to twice.
        long held = current.Document.Epoch;
        long target = held < now ? now : held + 1;
        if (target > now)
        {
            await DelayUntilAsync(clock.StartOf(target - 1) + (current.EpochPeriod * PollFraction), cancellationToken).ConfigureAwait(false);
        }

        NetworkTopology? next = null;
        while (next is null)
        {
            next = await FetchOrNullAsync(target, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                await Task.Delay(RetryInterval, _time, cancellationToken).ConfigureAwait(false);
                if (clock.Current > target)
                {
                    // Its epoch is over without it: go for the one after.
                    return;
                }
            }
        }

        if (next.Document.Epoch <= held)
        {
            // Not newer than what is in use (a source that ignored the epoch asked for): nothing to switch to.
            return;
        }

        Fetched?.Invoke(next);
        await DelayUntilAsync(new EpochClock(_time, next.EpochPeriod).StartOf(next.Document.Epoch), cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _current, next);
        Interlocked.Increment(ref _epochChanges);
        Switched?.Invoke(next);
    }

    private async Task<NetworkTopology?> FetchOrNullAsync(long epoch, CancellationToken cancellationToken)
    {
        try
        {
            return await _source.FetchAsync(epoch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TopologyException or IOException)
        {
            // One bad answer is no reason to stop following: the next try may reach another authority.
            return null;
        }
    }

    /// <summary>Until the wall clock reads <paramref name="instant"/>: a timer may fire a little early by it, so check and wait the rest.</summary>
    private async Task DelayUntilAsync(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        while ((wait = instant - _time.GetUtcNow()) > TimeSpan.Zero)
        {
            await Task.Delay(wait < s_minimumWait ? s_minimumWait : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
