using Mixnode.Client.Consensus;
using Mixnode.Pki;

namespace Mixnode.Client.Tests.Consensus;

/// <summary>
/// The epoch follower on a fake clock (20-minute epochs, starting one minute into epoch 1000): when it asks, when it
/// switches, what it does when a consensus is late or missing.
/// </summary>
public sealed class ConsensusFollowerTests : IDisposable
{
    private readonly TestNetwork _network = new(layers: 1, perLayer: 1, providers: 1, keyEpochs: 5);
    private readonly FakeConsensusSource _source = new();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _network.Dispose();
    }

    private TimeSpan Period => _network.Document.EpochPeriod;

    private DateTimeOffset StartOf(long epoch) => EpochClock.Origin + (Period * epoch);

    [Fact]
    public async Task Asks_for_the_next_document_from_three_quarters_of_the_epoch_and_switches_at_the_boundary()
    {
        NetworkTopology first = _network.DocumentFor(1000);
        _source.Publish(_network.DocumentFor(1001));
        var follower = new ConsensusFollower(_source, first, _network.Time);
        NetworkTopology? fetched = null;
        NetworkTopology? switched = null;
        follower.Fetched += t => fetched = t;
        follower.Switched += t => switched = t;
        Task run = follower.RunAsync(_stop.Token);

        _network.Time.SetUtcNow(StartOf(1000) + (Period * 0.75) - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Empty(_source.Requests);

        _network.Time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => fetched is not null, "the next epoch's document fetched");
        Assert.Equal([1001L], _source.Requests);
        Assert.Same(first, follower.Current);
        Assert.Null(switched);

        _network.Time.SetUtcNow(StartOf(1001));
        await Eventually.TrueAsync(() => switched is not null, "switched at the boundary");
        Assert.Equal(1001, follower.Current.Document.Epoch);
        Assert.Equal(1, follower.EpochChanges);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_document_not_yet_published_is_asked_for_again_until_it_is()
    {
        var follower = new ConsensusFollower(_source, _network.DocumentFor(1000), _network.Time, TimeSpan.FromSeconds(10));
        Task run = follower.RunAsync(_stop.Token);
        _network.Time.SetUtcNow(StartOf(1000) + (Period * 0.75));
        await Eventually.TrueAsync(() => _source.Requests.Count == 1, "first request");

        _network.Time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => _source.Requests.Count == 2, "second request after the retry interval");

        _source.Publish(_network.DocumentFor(1001));
        _network.Time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => _source.Requests.Count == 3, "third request");
        _network.Time.SetUtcNow(StartOf(1001) + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => follower.EpochChanges == 1, "switched");
        Assert.All(_source.Requests, e => Assert.Equal(1001, e));

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_missed_consensus_keeps_the_old_document_and_the_late_one_is_used_as_soon_as_it_comes()
    {
        NetworkTopology first = _network.DocumentFor(1000);
        var follower = new ConsensusFollower(_source, first, _network.Time, TimeSpan.FromSeconds(30));
        Task run = follower.RunAsync(_stop.Token);

        // Nothing published for 1001 by its start: the document of 1000 covers 1001 and stays in use.
        _network.Time.SetUtcNow(StartOf(1000) + (Period * 0.75));
        await Eventually.TrueAsync(() => !_source.Requests.IsEmpty, "asked for 1001");
        for (int i = 0; i < 12; i++)
        {
            _network.Time.Advance(TimeSpan.FromSeconds(30));
            await Task.Delay(20);
        }

        Assert.True(_network.Time.GetUtcNow() >= StartOf(1001));
        Assert.Same(first, follower.Current);
        Assert.True(first.EpochsCovered.Contains(new EpochClock(_network.Time, Period).Current));

        // Published late, during its own epoch: switched to at the next try, without waiting for a boundary.
        _source.Publish(_network.DocumentFor(1001));
        _network.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => follower.EpochChanges == 1, "switched to the late document");
        Assert.Equal(1001, follower.Current.Document.Epoch);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Follows_several_epochs_in_a_row()
    {
        for (long e = 1001; e <= 1003; e++)
        {
            _source.Publish(_network.DocumentFor(e));
        }

        var follower = new ConsensusFollower(_source, _network.DocumentFor(1000), _network.Time);
        var switches = new List<long>();
        follower.Switched += t => { lock (switches) { switches.Add(t.Document.Epoch); } };
        Task run = follower.RunAsync(_stop.Token);
        for (long e = 1000; e <= 1002; e++)
        {
            _network.Time.SetUtcNow(StartOf(e) + (Period * 0.8));
            await Eventually.TrueAsync(() => _source.Requests.Contains(e + 1), $"asked for {e + 1}");
            _network.Time.SetUtcNow(StartOf(e + 1) + TimeSpan.FromSeconds(1));
            long expected = e + 1;
            await Eventually.TrueAsync(() => follower.Current.Document.Epoch == expected, $"switched to {expected}");
        }

        Assert.Equal(3, follower.EpochChanges);
        Assert.Equal([1001L, 1002L, 1003L], switches);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
