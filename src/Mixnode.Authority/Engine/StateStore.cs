using System.Globalization;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Engine;

/// <summary>
/// The authority's own state on disk, under <c>StateDirectory</c>: <c>votes/E.json</c> (its signed vote) and
/// <c>votes/E.reveal</c> (the secret behind its commit, 0600) are written before the vote leaves, so a restarted
/// authority re-sends the very same vote and can never sign two different ones for an epoch; <c>consensus/E.json</c>
/// holds each published document. A null directory keeps nothing (in-memory tests).
/// </summary>
internal sealed class StateStore
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string? _root;

    public StateStore(string? directory)
    {
        _root = string.IsNullOrEmpty(directory) ? null : Path.GetFullPath(directory);
        if (_root is not null)
        {
            Directory.CreateDirectory(Path.Combine(_root, "votes"));
            Directory.CreateDirectory(Path.Combine(_root, "consensus"));
        }
    }

    public void SaveVote(long epoch, ReadOnlySpan<byte> vote, Bytes32 reveal)
    {
        if (_root is null)
        {
            return;
        }

        KeyFile.WriteAtomically(VotePath(epoch, ".reveal"), reveal.AsReadOnlySpan(), Private);
        KeyFile.WriteAtomically(VotePath(epoch, ".json"), vote, Public);
    }

    /// <summary>The vote and reveal saved for <paramref name="epoch"/>, if any.</summary>
    public (byte[] Vote, Bytes32 Reveal)? LoadVote(long epoch)
    {
        if (_root is null || !File.Exists(VotePath(epoch, ".json")) || !File.Exists(VotePath(epoch, ".reveal")))
        {
            return null;
        }

        byte[] reveal = File.ReadAllBytes(VotePath(epoch, ".reveal"));
        return reveal.Length == Bytes32.Size ? (File.ReadAllBytes(VotePath(epoch, ".json")), Bytes32.From(reveal)) : null;
    }

    public void SaveDocument(long epoch, ReadOnlySpan<byte> file)
    {
        if (_root is not null)
        {
            KeyFile.WriteAtomically(Path.Combine(_root, "consensus", Name(epoch, ".json")), file, Public);
        }
    }

    /// <summary>The saved documents of the newest <paramref name="count"/> epochs (unverified: the caller verifies).</summary>
    public IEnumerable<(long Epoch, byte[] File)> LoadDocuments(int count)
    {
        if (_root is null)
        {
            yield break;
        }

        var epochs = new List<long>();
        foreach (string path in Directory.EnumerateFiles(Path.Combine(_root, "consensus"), "*.json"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long epoch))
            {
                epochs.Add(epoch);
            }
        }

        foreach (long epoch in epochs.OrderDescending().Take(count))
        {
            yield return (epoch, File.ReadAllBytes(Path.Combine(_root, "consensus", Name(epoch, ".json"))));
        }
    }

    /// <summary>Deletes votes and reveals of epochs before <paramref name="epoch"/> (a reveal is no secret once used).</summary>
    public void PruneVotesBefore(long epoch)
    {
        if (_root is null)
        {
            return;
        }

        foreach (string path in Directory.EnumerateFiles(Path.Combine(_root, "votes")))
        {
            string stem = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(stem, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long e) && e < epoch)
            {
                File.Delete(path);
            }
        }
    }

    private string VotePath(long epoch, string extension) => Path.Combine(_root!, "votes", Name(epoch, extension));

    private static string Name(long epoch, string extension) => epoch.ToString(CultureInfo.InvariantCulture) + extension;
}
