using System.Security.Cryptography;

namespace Mixnode.Pki;

/// <summary>
/// Refuses rollback: remembers the epoch of the newest document accepted and refuses any document for an older
/// epoch, however well signed (an attacker who kept an old consensus must not be able to bring back old keys or a
/// node that was removed). A document for the same epoch is accepted only when it is byte-identical to the one
/// accepted, so two different threshold-signed documents for one epoch cannot alternate — except for offline-signed
/// documents (<c>replaceSameEpoch</c>), which an operator re-signs for the same epochs when nodes change.
/// Thread-safe.
/// </summary>
internal sealed class DocumentGuard
{
    private readonly Lock _gate = new();
    private long _newestEpoch;
    private byte[]? _newestPayloadHash;

    private readonly bool _replaceSameEpoch;

    public DocumentGuard(long newestEpoch = long.MinValue, bool replaceSameEpoch = false)
    {
        _newestEpoch = newestEpoch;
        _replaceSameEpoch = replaceSameEpoch;
    }

    /// <summary>The epoch of the newest document accepted; <see cref="long.MinValue"/> before the first.</summary>
    public long NewestEpoch
    {
        get
        {
            lock (_gate)
            {
                return _newestEpoch;
            }
        }
    }

    /// <summary>
    /// Throws <see cref="TopologyException"/> (<see cref="PkiRefusal.Rollback"/>) when <paramref name="document"/> is
    /// older than the newest accepted, or is another document for the newest epoch; otherwise records it. Documents
    /// are compared by content (the SHA-256 of the document itself), not by file: the same consensus served by two
    /// authorities with different sets of signatures is the same document.
    /// </summary>
    public void Accept(NetworkDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        byte[] identity = SHA256.HashData(document.ToUtf8Json());
        lock (_gate)
        {
            if (document.Epoch < _newestEpoch)
            {
                throw new TopologyException(PkiRefusal.Rollback, $"rollback refused: the document is for epoch {document.Epoch}, older than the newest accepted (epoch {_newestEpoch})");
            }

            if (!_replaceSameEpoch && document.Epoch == _newestEpoch && _newestPayloadHash is not null && !identity.SequenceEqual(_newestPayloadHash))
            {
                throw new TopologyException(PkiRefusal.Rollback, $"refused: a different document for epoch {document.Epoch} was already accepted");
            }

            _newestEpoch = document.Epoch;
            _newestPayloadHash = identity;
        }
    }
}
