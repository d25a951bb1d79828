
namespace Mixnode.Pki.Tests;

public sealed class DocumentGuardTests
{
    [Fact]
    public void An_older_document_is_refused_after_a_newer_one()
    {
        var guard = new DocumentGuard();
        NetworkDocument newer = PkiFixtures.Document(PkiFixtures.Epoch + 1);
        NetworkDocument older = PkiFixtures.Document(PkiFixtures.Epoch);
        guard.Accept(newer);
        var e = Assert.Throws<TopologyException>(() => guard.Accept(older));
        Assert.Equal(PkiRefusal.Rollback, e.Reason);
        Assert.Contains($"epoch {PkiFixtures.Epoch}, older than the newest accepted (epoch {PkiFixtures.Epoch + 1})", e.Message, StringComparison.Ordinal);
        Assert.Equal(PkiFixtures.Epoch + 1, guard.NewestEpoch);
    }

    [Fact]
    public void The_same_document_again_is_fine_but_another_for_the_same_epoch_is_not()
    {
        var guard = new DocumentGuard();
        NetworkDocument document = PkiFixtures.Document();
        guard.Accept(document);
        guard.Accept(document);
        var e = Assert.Throws<TopologyException>(() => guard.Accept(PkiFixtures.Document()));
        Assert.Equal(PkiRefusal.Rollback, e.Reason);
    }

    [Fact]
    public void The_same_document_with_other_signatures_is_not_a_rollback()
    {
        // Two authorities may serve one consensus with different sets of signatures (a late certificate); the
        // guard compares the documents, not the files.
        using NSec.Cryptography.Key a = PkiFixtures.NewSigningKey();
        using NSec.Cryptography.Key b = PkiFixtures.NewSigningKey();
        using NSec.Cryptography.Key c = PkiFixtures.NewSigningKey();
        AuthoritySet set = PkiFixtures.SetOf([a, b, c]);
        NetworkDocument document = PkiFixtures.Document();
        var guard = new DocumentGuard();
        guard.Accept(SignedNetworkDocument.Verify(PkiFixtures.SignedBy(document, a, b, c), set));
        guard.Accept(SignedNetworkDocument.Verify(PkiFixtures.SignedBy(document, a, b), set));
    }

    [Fact]
    public void Offline_documents_may_be_re_signed_for_the_same_epoch()
    {
        var guard = new DocumentGuard(replaceSameEpoch: true);
        guard.Accept(PkiFixtures.Document());
        guard.Accept(PkiFixtures.Document());
        Assert.Throws<TopologyException>(() => guard.Accept(PkiFixtures.Document(PkiFixtures.Epoch - 1)));
    }

    [Fact]
    public void A_guard_seeded_from_disk_refuses_what_came_before()
    {
        var guard = new DocumentGuard(newestEpoch: PkiFixtures.Epoch + 5);
        Assert.Throws<TopologyException>(() => guard.Accept(PkiFixtures.Document(PkiFixtures.Epoch + 4)));
        guard.Accept(PkiFixtures.Document(PkiFixtures.Epoch + 5));
    }
}
