using System.Security.Cryptography;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Tests.Support;
using Mixnode.Authority.Transport;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Tests;

/// <summary>Whole rounds between in-memory authorities on a fake clock.</summary>
public sealed class ConsensusRoundTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void Genesis_every_authority_publishes_the_same_bytes_within_seconds()
    {
        using var bed = new AuthorityTestbed();
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch);
        DateTimeOffset started = bed.Time.GetUtcNow();

        Assert.True(bed.RunUntil(() => bed.Engines.All(e => e.Consensus(epoch) is not null), s_limit));

        // Every listed node uploaded, so nobody waits for BootstrapWait and every phase moves on when all messages are in.
        Assert.True(bed.Time.GetUtcNow() - started < TimeSpan.FromSeconds(2), $"genesis took {bed.Time.GetUtcNow() - started}");
        byte[] first = bed.Engines[0].Consensus(epoch)!;
        Assert.All(bed.Engines, e => Assert.Equal(first, e.Consensus(epoch)));
        NetworkDocument document = bed.Verified(first);
        Assert.Equal(epoch, document.Epoch);
        Assert.Equal(new EpochRange(epoch, epoch + 1), document.EpochsCovered);
        Assert.Equal(8, document.AllNodes.Count());
        Assert.Equal(3, document.Layers.Length);
        Assert.NotNull(document.SharedRandom);
        (_, IReadOnlyList<Bytes32> signers) = SignedNetworkDocument.VerifyWithSigners(first, bed.Authorities);
        Assert.Equal(3, signers.Count);
    }

    [Fact]
    public void Genesis_without_every_upload_votes_after_the_bootstrap_wait()
    {
        using var bed = new AuthorityTestbed();
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch, bed.Nodes.Take(bed.Nodes.Count - 1));

        Assert.True(bed.RunUntil(() => bed.Engines.All(e => e.Consensus(epoch) is not null), s_limit));
        NetworkDocument document = bed.Verified(bed.Engines[1].Consensus(epoch)!);
        Assert.Equal(7, document.AllNodes.Count());
    }

    [Fact]
    public void Regular_round_publishes_the_next_epoch_before_it_starts()
    {
        using var bed = new AuthorityTestbed();
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch);
        bed.Upload(epoch + 1);

        bed.RunTo(epoch, AuthorityTestbed.Period * 7 / 8);

        byte[]? next = bed.Engines[0].Consensus(epoch + 1);
        Assert.NotNull(next);
        Assert.All(bed.Engines, e => Assert.Equal(next, e.Consensus(epoch + 1)));
        Assert.Equal(epoch + 1, bed.Verified(next!).Epoch);
    }

    [Fact]
    public void Three_epoch_changes_in_a_row()
    {
        using var bed = new AuthorityTestbed();
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch);
        for (long e = epoch + 1; e <= epoch + 3; e++)
        {
            bed.Upload(e);
            bed.RunTo(e - 1, AuthorityTestbed.Period * 7 / 8);
            Assert.All(bed.Engines, engine => Assert.NotNull(engine.Consensus(e)));
            bed.RunTo(e, TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void One_authority_down_the_other_two_publish()
    {
        using var bed = new AuthorityTestbed();
        bed.Network.SetDown(bed.Authorities.Authorities[2].PublicKey, down: true);
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch, to: bed.Engines.Take(2));

        Assert.True(bed.RunUntil(() => bed.Engines.Take(2).All(e => e.Consensus(epoch) is not null), s_limit));
        byte[] file = bed.Engines[0].Consensus(epoch)!;
        Assert.Equal(file, bed.Engines[1].Consensus(epoch));
        (_, IReadOnlyList<Bytes32> signers) = SignedNetworkDocument.VerifyWithSigners(file, bed.Authorities);
        Assert.Equal(2, signers.Count);
        Assert.Null(bed.Engines[2].Consensus(epoch));

        // Back up, the third authority fetches the published document from a peer and serves it.
        bed.Network.SetDown(bed.Authorities.Authorities[2].PublicKey, down: false);
        Assert.True(bed.RunUntil(() => bed.Engines[2].Consensus(epoch) is not null, s_limit));
        Assert.Equal(file, bed.Engines[2].Consensus(epoch));
    }

    [Fact]
    public void Fewer_than_threshold_authorities_publish_nothing()
    {
        using var bed = new AuthorityTestbed();
        bed.Network.SetDown(bed.Authorities.Authorities[1].PublicKey, down: true);
        bed.Network.SetDown(bed.Authorities.Authorities[2].PublicKey, down: true);
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch, to: bed.Engines.Take(1));

        bed.Run(TimeSpan.FromSeconds(20));

        Assert.Null(bed.Engines[0].Consensus(epoch));
        Assert.Null(bed.Engines[0].LatestConsensus());
    }

    [Fact]
    public void An_equivocating_authority_is_detected_and_its_vote_dropped()
    {
        using var bed = new AuthorityTestbed();
        AuthorityInfo liar = bed.Authorities.Authorities[2];
        AuthorityInfo victim = bed.Authorities.Authorities[1];
        long epoch = bed.Current;
        bed.Network.Rewrite = (from, to, kind, message) =>
        {
            if (kind != PeerMessageKind.Vote || from != liar || to != victim)
            {
                return message;
            }

            // The same authority, the same epoch, another vote: a different commit and no descriptors.
            var other = Vote.Create(epoch, bed.Keys[2], bed.Time.GetUtcNow(), Bytes32.From(RandomNumberGenerator.GetBytes(32)), bed.Parameters, []);
            return other.Envelope.Raw;
        };
        using var refused = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(bed.Meters, "Mixnode.Authority", "mixnode.authority.refused");
        bed.StartAll();
        bed.Upload(epoch);

        Assert.True(bed.RunUntil(() => bed.Engines.Take(2).All(e => e.Consensus(epoch) is not null), s_limit));

        byte[] file = bed.Engines[0].Consensus(epoch)!;
        Assert.Equal(file, bed.Engines[1].Consensus(epoch));
        (_, IReadOnlyList<Bytes32> signers) = SignedNetworkDocument.VerifyWithSigners(file, bed.Authorities);
        Assert.DoesNotContain(liar.PublicKey, signers);
        Assert.Contains(refused.GetMeasurementSnapshot(), m => (string?)m.Tags["reason"] == "equivocation" && (string?)m.Tags["kind"] == "vote");
    }

    [Fact]
    public void A_descriptor_after_the_deadline_is_late_and_the_node_appears_one_epoch_later()
    {
        using var bed = new AuthorityTestbed();
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch);
        TestNode straggler = bed.Nodes[0];
        bed.Upload(epoch + 1, bed.Nodes.Skip(1));

        bed.RunTo(epoch, AuthorityTestbed.Period * 3 / 8);
        Refusal? late = bed.Engines[0].SubmitDescriptor(straggler.Upload(epoch + 1).Envelope.Raw);
        Assert.Equal(PkiRefusal.Late, late?.Reason);
        bed.RunTo(epoch + 1, TimeSpan.FromSeconds(1));
        NetworkDocument next = bed.Verified(bed.Engines[0].Consensus(epoch + 1)!);
        Assert.DoesNotContain(next.AllNodes, n => n.Name == straggler.Name);

        bed.Upload(epoch + 2);
        bed.RunTo(epoch + 1, AuthorityTestbed.Period * 7 / 8);
        NetworkDocument after = bed.Verified(bed.Engines[0].Consensus(epoch + 2)!);
        Assert.Contains(after.AllNodes, n => n.Name == straggler.Name);
    }

    [Fact]
    public void A_restarted_authority_sends_the_same_vote_it_saved()
    {
        using var bed = new AuthorityTestbed(persist: true);
        bed.Network.SetDown(bed.Authorities.Authorities[1].PublicKey, down: true);
        bed.Network.SetDown(bed.Authorities.Authorities[2].PublicKey, down: true);
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch, to: bed.Engines.Take(1));
        bed.Run(TimeSpan.FromSeconds(6));
        Assert.Equal(RoundPhase.Revealed, bed.Engines[0].PhaseOf(epoch));

        // Restart authority 0 with another upload waiting: it must not make a second vote.
        bed.Engines[0].Dispose();
        AuthorityEngine restarted = bed.NewEngine(0);
        restarted.Start();
        bed.Run(TimeSpan.FromSeconds(1));
        bed.Network.SetDown(bed.Authorities.Authorities[1].PublicKey, down: false);
        bed.Run(TimeSpan.FromSeconds(2));

        var votes = bed.Network.Sent.Where(s => s.Kind == PeerMessageKind.Vote && s.From == bed.Authorities.Authorities[0].PublicKey).Select(s => Convert.ToBase64String(s.Message)).Distinct().ToList();
        Assert.Single(votes);
        restarted.Dispose();
    }

    [Fact]
    public void A_restarted_authority_serves_the_documents_it_saved()
    {
        using var bed = new AuthorityTestbed(persist: true);
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch);
        Assert.True(bed.RunUntil(() => bed.Engines.All(e => e.Consensus(epoch) is not null), s_limit));
        byte[] published = bed.Engines[0].Consensus(epoch)!;

        bed.Engines[0].Dispose();
        AuthorityEngine restarted = bed.NewEngine(0);
        restarted.Start();
        Assert.Equal(published, restarted.Consensus(epoch));
        Assert.True(restarted.HasCurrentConsensus);
        restarted.Dispose();
    }

    [Fact]
    public void An_authority_started_after_the_descriptor_deadline_votes_for_the_next_epoch_after_the_bootstrap_wait()
    {
        using var bed = new AuthorityTestbed();
        long epoch = bed.Current;
        bed.RunTo(epoch, AuthorityTestbed.Period * 5 / 8);
        bed.StartAll();
        bed.Upload(epoch);
        bed.Upload(epoch + 1, bed.Nodes.Skip(1));

        // Genesis for the current epoch, and the next epoch's round right behind it: both within seconds.
        Assert.True(bed.RunUntil(() => bed.Engines.All(e => e.Consensus(epoch) is not null && e.Consensus(epoch + 1) is not null), TimeSpan.FromSeconds(20)));
        Assert.Equal(bed.Nodes.Count - 1, bed.Verified(bed.Engines[2].Consensus(epoch + 1)!).AllNodes.Count());
        Assert.Equal(epoch, bed.Current);
    }

    [Fact]
    public void Authorities_started_seconds_apart_still_agree_on_genesis()
    {
        using var bed = new AuthorityTestbed();
        long epoch = bed.Current;
        bed.Engines[0].Start();
        bed.Upload(epoch, to: bed.Engines.Take(1));
        bed.Run(TimeSpan.FromSeconds(7));
        bed.Engines[1].Start();
        bed.Engines[2].Start();
        bed.Upload(epoch, to: bed.Engines.Skip(1));

        Assert.True(bed.RunUntil(() => bed.Engines.All(e => e.Consensus(epoch) is not null), s_limit));
        byte[] first = bed.Engines[0].Consensus(epoch)!;
        Assert.All(bed.Engines, e => Assert.Equal(first, e.Consensus(epoch)));
        Assert.Equal(bed.Nodes.Count, bed.Verified(first).AllNodes.Count());
    }

    [Fact]
    public void Genesis_waits_past_the_bootstrap_wait_until_the_uploads_can_make_a_document()
    {
        using var bed = new AuthorityTestbed(mixes: 6, providers: 2);
        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch, bed.Nodes.Where(n => n.Role == NodeRole.Mix));
        bed.Run(TimeSpan.FromSeconds(8));
        Assert.All(bed.Engines, e => Assert.Equal(RoundPhase.Collecting, e.PhaseOf(epoch)));

        // One provider is enough to vote (the other is slower still and appears one epoch later).
        bed.Upload(epoch, bed.Nodes.Where(n => n.Role == NodeRole.Provider).Take(1));
        Assert.True(bed.RunUntil(() => bed.Engines.All(e => e.Consensus(epoch) is not null), s_limit));
        Assert.Equal(7, bed.Verified(bed.Engines[0].Consensus(epoch)!).AllNodes.Count());
    }
}
