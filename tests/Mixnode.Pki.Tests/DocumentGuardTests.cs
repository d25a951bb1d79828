using System.Security.Cryptography;

namespace Mixnode.Pki.Tests;

public sealed class DocumentGuardTests
{
    [Fact]
    public void An_older_document_is_refused_after_a_newer_one()
    {
        var guard = new DocumentGuard();
        NetworkDocument newer = PkiFixtures.Document(PkiFixtures.Epoch + 1);
        NetworkDocument older = PkiFixtures.Document(PkiFixtures.Epoch);
        guard.Accept(newer, [1]);
        var e = Assert.Throws<TopologyException>(() => guard.Accept(older, [2]));
        Assert.Equal(PkiRefusal.Rollback, e.Reason);
        Assert.Contains($"epoch {PkiFixtures.Epoch}, older than the newest accepted (epoch {PkiFixtures.Epoch + 1})", e.Message, StringComparison.Ordinal);
        Assert.Equal(PkiFixtures.Epoch + 1, guard.NewestEpoch);
    }

    [Fact]
    public void The_same_document_again_is_fine_but_another_for_the_same_epoch_is_not()
    {
        var guard = new DocumentGuard();
        NetworkDocument document = PkiFixtures.Document();
        byte[] hash = SHA256.HashData(document.ToUtf8Json());
        guard.Accept(document, hash);
        guard.Accept(document, hash);
        var e = Assert.Throws<TopologyException>(() => guard.Accept(PkiFixtures.Document(), SHA256.HashData(PkiFixtures.Document().ToUtf8Json())));
        Assert.Equal(PkiRefusal.Rollback, e.Reason);
    }

    [Fact]
    public void Offline_documents_may_be_re_signed_for_the_same_epoch()
    {
        var guard = new DocumentGuard(replaceSameEpoch: true);
        guard.Accept(PkiFixtures.Document(), [1]);
        guard.Accept(PkiFixtures.Document(), [2]);
        Assert.Throws<TopologyException>(() => guard.Accept(PkiFixtures.Document(PkiFixtures.Epoch - 1), [3]));
    }

    [Fact]
    public void A_guard_seeded_from_disk_refuses_what_came_before()
    {
        var guard = new DocumentGuard(newestEpoch: PkiFixtures.Epoch + 5);
        Assert.Throws<TopologyException>(() => guard.Accept(PkiFixtures.Document(PkiFixtures.Epoch + 4), [1]));
        guard.Accept(PkiFixtures.Document(PkiFixtures.Epoch + 5), [1]);
    }
}
