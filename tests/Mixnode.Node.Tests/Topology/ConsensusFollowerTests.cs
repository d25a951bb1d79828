using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Pki;

namespace Mixnode.Node.Tests.Topology;

/// <summary>
/// The consensus follower's schedule on a fake clock, against stub authorities: uploads before the deadline, the
/// next consensus fetched once published and in force at the boundary, a missed consensus, refusals (rollback, below
/// threshold, wrong epoch) and the cache across a restart.
/// </summary>
public sealed class ConsensusFollowerTests
{
    private const long E = FollowerHarness.E;

    [Fact]
    public async Task Start_uploads_the_descriptor_for_this_epoch_and_the_next_and_waits_for_this_epochs_consensus()
    {
        await using var h = new FollowerHarness();
        ConsensusFollower follower = h.NewFollower();
        Task start = follower.StartAsync(CancellationToken.None);
        await FollowerHarness.Settle();
        Assert.False(start.IsCompleted, "start-up waits for a consensus");

        h.Directory.Publish(h.Document(E));
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        await start.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(E, follower.Current.Document.Epoch);
        Assert.True(follower.Current.TryGetNode(h.Self.Id, out _));
        foreach (long epoch in new[] { E, E + 1 })
        {
            var uploads = h.Directory.Uploads.Where(u => u.Descriptor.Epoch == epoch).ToList();
            Assert.Equal([0, 1, 2], uploads.Select(u => u.Authority).Order());

            // A consensus for an epoch covers it and the next: the descriptor lists exactly those two mix keys.
            Assert.All(uploads, u => Assert.Equal([epoch, epoch + 1], u.Descriptor.Descriptor.MixKeys.Keys));
            Assert.All(uploads, u => Assert.Equal(h.Self.IdentityKey, u.Descriptor.Envelope.Signer));
        }

        Assert.Equal(6, FollowerHarness.Total(h.Uploads));
    }

    [Fact]
    public async Task Each_epoch_the_descriptor_for_the_next_goes_to_every_authority_before_the_deadline()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E));
        h.Directory.Publish(h.Document(E + 1));
        h.Directory.Publish(h.Document(E + 2));
        ConsensusFollower follower = h.NewFollower();
        await follower.StartAsync(CancellationToken.None);

        await h.AdvanceToAsync(h.Clock.StartOf(E + 2) + TimeSpan.FromSeconds(1));

        foreach (long target in new[] { E + 2, E + 3 })
        {
            var uploads = h.Directory.Uploads.Where(u => u.Descriptor.Epoch == target).ToList();
            Assert.Equal([0, 1, 2], uploads.Select(u => u.Authority).Order());
            Assert.All(uploads, u => Assert.True(u.At < h.Schedule.DescriptorDeadline(target - 1), $"upload for {target} at {u.At:HH:mm:ss.fff}"));
            Assert.All(uploads, u => Assert.True(u.At >= h.Clock.StartOf(target - 1)));
            Assert.All(uploads, u => Assert.Equal([target, target + 1], u.Descriptor.Descriptor.MixKeys.Keys));
        }
    }

    [Fact]
    public async Task The_next_consensus_is_fetched_once_published_and_comes_into_force_exactly_at_the_boundary()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E));
        ConsensusFollower follower = h.NewFollower();
        await follower.StartAsync(CancellationToken.None);
        var changes = new List<(long Epoch, DateTimeOffset At)>();
        follower.Changed += t => { lock (changes) { changes.Add((t.Document.Epoch, h.Time.GetUtcNow())); } };

        // Nothing is asked for the next epoch before signatures can exist.
        await h.AdvanceToAsync(h.Schedule.SignatureDeadline(E) - TimeSpan.FromMilliseconds(300));
        Assert.DoesNotContain(h.Directory.Fetches, f => f.Epoch == E + 1);

        // Published at the deadline: fetched within a poll, held back until E + 1 begins.
        await h.AdvanceToAsync(h.Schedule.PublishDeadline(E));
        h.Directory.Publish(h.Document(E + 1));
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(E + 1, follower.NewestEpoch);
        Assert.Equal(E, follower.Current.Document.Epoch);
        Assert.Empty(changes);

        await h.AdvanceToAsync(h.Clock.StartOf(E + 1) - TimeSpan.FromMilliseconds(50));
        Assert.Equal(E, follower.Current.Document.Epoch);
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(50));
        Assert.True(await Eventually.TrueAsync(() => follower.Current.Document.Epoch == E + 1, TimeSpan.FromSeconds(5)));
        (long epoch, DateTimeOffset at) = Assert.Single(changes);
        Assert.Equal(E + 1, epoch);
        Assert.Equal(h.Clock.StartOf(E + 1), at);
        Assert.Equal(0, FollowerHarness.Total(h.Missed));
    }

    [Fact]
    public async Task Starting_late_in_an_epoch_while_this_and_the_next_document_appear_together_takes_this_one_first()
    {
        // Genesis late in an epoch: the authorities publish E and E + 1 at once. Taking E + 1 first would make E a
        // rollback and leave the node without a document until E + 1 begins.
        DateTimeOffset late = EpochClock.Origin + (FollowerHarness.Period * E) + (FollowerHarness.Period * 7 / 8);
        await using var h = new FollowerHarness(start: late);
        ConsensusFollower follower = h.NewFollower();
        Task start = follower.StartAsync(CancellationToken.None);
        await FollowerHarness.Settle();
        h.Directory.Publish(h.Document(E + 1));
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(600));
        h.Directory.Publish(h.Document(E));
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(600));
        await start.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(E, follower.Current.Document.Epoch);
        Assert.True(await Eventually.TrueAsync(() => follower.NewestEpoch == E + 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(0, h.RefusedFor("rollback"));
        await h.AdvanceToAsync(h.Clock.StartOf(E + 1));
        Assert.True(await Eventually.TrueAsync(() => follower.Current.Document.Epoch == E + 1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_missed_consensus_keeps_the_current_one_within_its_window_then_nothing_covers_the_epoch()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E));
        ConsensusFollower follower = h.NewFollower();
        await follower.StartAsync(CancellationToken.None);

        // No consensus for E + 1: the one for E covers E + 1, so it stays (warned and counted once).
        await h.AdvanceToAsync(h.Clock.StartOf(E + 1) + TimeSpan.FromSeconds(2));
        Assert.Equal(E, follower.Current.Document.Epoch);
        Assert.True(follower.Current.EpochsCovered.Contains(h.Clock.Current));
        Assert.Equal(1, FollowerHarness.Total(h.Missed));
        Assert.True(FollowerHarness.Total(h.FetchFailures) > 0);

        // None for E + 2 either: the document no longer covers the epoch, which readiness reports as not ready.
        await h.AdvanceToAsync(h.Clock.StartOf(E + 2) + TimeSpan.FromSeconds(2));
        Assert.Equal(E, follower.Current.Document.Epoch);
        Assert.False(follower.Current.EpochsCovered.Contains(h.Clock.Current));
        Assert.Equal(2, FollowerHarness.Total(h.Missed));

        // The follower keeps asking: a late consensus for E + 2 is taken at once.
        h.Directory.Publish(h.Document(E + 2));
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(E + 2, follower.Current.Document.Epoch);
    }

    [Fact]
    public async Task A_document_with_fewer_than_threshold_signatures_is_refused_and_start_up_fails_after_its_timeout()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E), signers: 1);
        ConsensusFollower follower = h.NewFollower(startTimeout: TimeSpan.FromSeconds(3));
        Task start = follower.StartAsync(CancellationToken.None);
        await h.AdvanceAsync(TimeSpan.FromSeconds(3.5));

        TopologyException e = await Assert.ThrowsAsync<TopologyException>(() => start.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("Mixnode:Authorities:StartTimeout", e.Message, StringComparison.Ordinal);
        Assert.Contains("refused: below_threshold", e.Message, StringComparison.Ordinal);
        Assert.True(h.RefusedFor("below_threshold") > 0);
        Assert.Null(follower.TryCurrent);
    }

    [Fact]
    public async Task An_older_document_served_for_the_next_epoch_is_refused_and_counted()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E));
        ConsensusFollower follower = h.NewFollower();
        await follower.StartAsync(CancellationToken.None);

        // An authority (or a man in the middle) answers the request for E + 1 with the old, well-signed document.
        h.Directory.Documents[E + 1] = h.Directory.Documents[E];
        await h.AdvanceToAsync(h.Schedule.PublishDeadline(E) + TimeSpan.FromSeconds(1));
        Assert.True(h.RefusedFor("wrong_epoch") > 0);
        Assert.Equal(E, follower.NewestEpoch);
        Assert.Equal(E, follower.Current.Document.Epoch);
    }

    [Fact]
    public async Task The_cached_consensus_is_used_at_restart_without_waiting_for_the_authorities()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E));
        ConsensusFollower first = h.NewFollower();
        await first.StartAsync(CancellationToken.None);
        await first.DisposeAsync();

        h.Directory.Documents.Clear();
        ConsensusFollower second = h.NewFollower();
        await second.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(E, second.Current.Document.Epoch);
        Assert.Equal(E, second.NewestEpoch);
        Assert.True(File.Exists(h.Files.Combine("state", ConsensusCache.CurrentFile)));
    }

    [Fact]
    public async Task Rollback_is_refused_across_a_restart()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E));
        h.Directory.Publish(h.Document(E + 1));
        ConsensusFollower first = h.NewFollower();
        await first.StartAsync(CancellationToken.None);
        await h.AdvanceToAsync(h.Clock.StartOf(E + 1) + TimeSpan.FromSeconds(1));
        Assert.Equal(E + 1, first.Current.Document.Epoch);
        await first.DisposeAsync();

        // The node restarts with its clock set back into epoch E; the authorities (or an attacker) still serve the
        // consensus of E. The cache says E + 1 was accepted, so E is a rollback.
        await using var restarted = new FollowerHarness(start: h.Clock.StartOf(E) + TimeSpan.FromSeconds(5), directory: h.Directory, files: h.Files);
        ConsensusFollower second = restarted.NewFollower(startTimeout: TimeSpan.FromSeconds(2));
        Task start = second.StartAsync(CancellationToken.None);
        await restarted.AdvanceAsync(TimeSpan.FromSeconds(2.5));
        await Assert.ThrowsAsync<TopologyException>(() => start.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(restarted.RefusedFor("rollback") > 0);
        Assert.Equal(E + 1, second.NewestEpoch);
    }

    [Fact]
    public async Task A_node_missing_from_the_consensus_starts_unlisted_and_is_listed_when_a_later_one_has_it()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E, includeSelf: false));
        h.Directory.Publish(h.Document(E + 1));
        ConsensusFollower follower = h.NewFollower();
        await follower.StartAsync(CancellationToken.None);
        Assert.False(follower.Current.TryGetNode(h.Self.Id, out _));

        await h.AdvanceToAsync(h.Clock.StartOf(E + 1) + TimeSpan.FromSeconds(1));
        Assert.True(follower.Current.TryGetNode(h.Self.Id, out _));
    }

    [Fact]
    public async Task A_late_refusal_ends_the_retries_for_that_epoch()
    {
        await using var h = new FollowerHarness();
        h.Directory.UploadRefusal = d => d.Epoch == E ? "late" : null;
        h.Directory.Publish(h.Document(E));
        ConsensusFollower follower = h.NewFollower();
        await follower.StartAsync(CancellationToken.None);
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(3, h.Directory.Uploads.Count(u => u.Descriptor.Epoch == E));
        Assert.Equal(3, h.Directory.Uploads.Count(u => u.Descriptor.Epoch == E + 1));
    }

    [Fact]
    public async Task A_refusal_that_may_pass_is_retried_with_backoff_until_the_descriptor_deadline()
    {
        await using var h = new FollowerHarness();
        h.Directory.Publish(h.Document(E));
        h.Directory.Publish(h.Document(E + 1));
        h.Directory.UploadRefusal = d => d.Epoch == E + 2 ? "clock_skew" : null;
        ConsensusFollower follower = h.NewFollower();
        await follower.StartAsync(CancellationToken.None);
        await h.AdvanceToAsync(h.Schedule.DescriptorDeadline(E + 1) + TimeSpan.FromSeconds(3));

        // Backoff from 250 ms doubling: a handful of tries within the 4 seconds before the deadline, none after.
        var tries = h.Directory.Uploads.Where(u => u.Descriptor.Epoch == E + 2 && u.Authority == 0).Select(u => u.At).ToList();
        Assert.InRange(tries.Count, 3, 8);
        Assert.All(tries, at => Assert.True(at >= h.Clock.StartOf(E + 1) && at < h.Schedule.DescriptorDeadline(E + 1)));
    }

    [Fact]
    public async Task At_start_uploads_are_retried_through_the_epoch_so_authorities_starting_later_still_get_them()
    {
        await using var h = new FollowerHarness();
        h.Directory.Down = true;
        ConsensusFollower follower = h.NewFollower(startTimeout: TimeSpan.FromSeconds(60));
        Task start = follower.StartAsync(CancellationToken.None);

        // The authorities come up after the descriptor deadline (genesis, with their first consensus for this epoch).
        await h.AdvanceToAsync(h.Schedule.DescriptorDeadline(E) + TimeSpan.FromSeconds(2));
        DateTimeOffset up = h.Time.GetUtcNow();
        h.Directory.Down = false;
        h.Directory.Publish(h.Document(E));
        await h.AdvanceAsync(TimeSpan.FromSeconds(6));
        await start.WaitAsync(TimeSpan.FromSeconds(10));

        foreach (long epoch in new[] { E, E + 1 })
        {
            Assert.Equal([0, 1, 2], h.Directory.Uploads.Where(u => u.Descriptor.Epoch == epoch && u.At >= up).Select(u => u.Authority).Order());
        }

        Assert.Contains(h.Uploads.GetMeasurementSnapshot(), m => Equals(m.Tags["result"], "failed"));
    }

    [Theory]
    [InlineData("409: {\"error\": \"late\", \"message\": \"x\"}", "late", true)]
    [InlineData("400: not json", null, true)]
    [InlineData("503: {\"error\": \"busy\"}", "busy", false)]
    [InlineData("unreachable: connection refused", null, false)]
    public void Authority_answers_are_read_for_their_refusal_tag(string answer, string? tag, bool refusal)
    {
        Assert.Equal(tag, DescriptorUploader.RefusalTag(answer));
        Assert.Equal(refusal, DescriptorUploader.IsRefusal(answer));
    }
}
