using Mixnode.Client.Consensus;
using Mixnode.Pki;

namespace Mixnode.Client.Tests.Consensus;

/// <summary>The client's view of the authorities: which first document it starts from, and rollback refused.</summary>
public sealed class DirectoryConsensusSourceTests : IDisposable
{
    private readonly TestNetwork _network = new(layers: 1, perLayer: 1, providers: 1, keyEpochs: 4);
    private readonly StubAuthorities _authorities = new();

    public void Dispose()
    {
        _authorities.Dispose();
        _network.Dispose();
    }

    private DirectoryConsensusSource Source() => new(_authorities.Set, TimeSpan.FromSeconds(5), _authorities);

    [Fact]
    public async Task Starts_from_the_latest_when_it_covers_now()
    {
        _authorities.Publish(_network.DocumentFor(1000).Document);
        using DirectoryConsensusSource source = Source();
        NetworkTopology? first = await source.FetchInitialAsync(_network.Time, CancellationToken.None);
        Assert.Equal(1000, first?.Document.Epoch);
    }

    [Fact]
    public async Task When_the_latest_is_already_the_next_epochs_it_starts_from_the_current_one()
    {
        _authorities.Publish(_network.DocumentFor(1000).Document);
        _authorities.Publish(_network.DocumentFor(1001).Document);
        using DirectoryConsensusSource source = Source();
        NetworkTopology? first = await source.FetchInitialAsync(_network.Time, CancellationToken.None);
        Assert.Equal(1000, first?.Document.Epoch);

        // The next one is still to be had for the follower.
        Assert.Equal(1001, (await source.FetchAsync(1001, CancellationToken.None))?.Document.Epoch);
    }

    [Fact]
    public async Task A_stale_latest_is_not_used_and_the_reason_is_kept()
    {
        _authorities.Publish(_network.DocumentFor(1000).Document);
        _network.Time.SetUtcNow(EpochClock.Origin + (_network.Document.EpochPeriod * 1003));
        using DirectoryConsensusSource source = Source();
        Assert.Null(await source.FetchInitialAsync(_network.Time, CancellationToken.None));
        Assert.Contains("not the current epoch 1003", source.LastRefusal, StringComparison.Ordinal);
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => source.FetchFirstAsync(_network.Time, TimeSpan.FromTicks(1), CancellationToken.None));
        Assert.Contains("no usable network document from 2 of 3 authorities", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_older_document_after_a_newer_one_is_a_refused_rollback()
    {
        _authorities.Publish(_network.DocumentFor(1000).Document);
        _authorities.Publish(_network.DocumentFor(1001).Document);
        using DirectoryConsensusSource source = Source();
        Assert.NotNull(await source.FetchAsync(1001, CancellationToken.None));
        Assert.Null(await source.FetchAsync(1000, CancellationToken.None));
        Assert.True(source.Refused > 0);
        Assert.StartsWith("rollback:", source.LastRefusal, StringComparison.Ordinal);
    }
}
