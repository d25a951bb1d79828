using Mixnode.Pki;

namespace Mixnode.Node.Topology;

/// <summary>
/// The consensus documents a node keeps in its state directory, exactly as they were fetched (signed):
/// <c>consensus.json</c> (the one in force) and <c>consensus-next.json</c> (the next epoch's, fetched ahead). A restart
/// uses them at once when they still cover the epoch, and re-seeds the rollback guard with them, so a restart refuses
/// what the node refused before it. Optionally a copy of the one in force goes to <c>Mixnode:TopologyPath</c>, for
/// operators and tools that read the file.
/// </summary>
internal sealed class ConsensusCache
{
    public const string CurrentFile = "consensus.json";
    public const string NextFile = "consensus-next.json";

    private readonly string? _copyPath;

    public ConsensusCache(string stateDirectory, string? copyPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        Directory = Path.GetFullPath(stateDirectory);
        _copyPath = string.IsNullOrEmpty(copyPath) ? null : Path.GetFullPath(copyPath);
    }

    public string Directory { get; }

    public string CurrentPath => Path.Combine(Directory, CurrentFile);

    public string NextPath => Path.Combine(Directory, NextFile);

    /// <summary>The raw files present (in force first, then next); unreadable ones are skipped.</summary>
    public IReadOnlyList<byte[]> Read()
    {
        var files = new List<byte[]>();
        foreach (string path in new[] { CurrentPath, NextPath })
        {
            try
            {
                if (File.Exists(path))
                {
                    files.Add(File.ReadAllBytes(path));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A damaged cache only costs a fetch.
            }
        }

        return files;
    }

    public void WriteCurrent(ReadOnlySpan<byte> raw)
    {
        System.IO.Directory.CreateDirectory(Directory);
        KeyFile.WriteAtomically(CurrentPath, raw, KeyFile.PublicMode);
        if (_copyPath is not null)
        {
            KeyFile.WriteAtomically(_copyPath, raw, KeyFile.PublicMode);
        }
    }

    public void WriteNext(ReadOnlySpan<byte> raw)
    {
        System.IO.Directory.CreateDirectory(Directory);
        KeyFile.WriteAtomically(NextPath, raw, KeyFile.PublicMode);
    }

    /// <summary>After the next document came into force it is in <see cref="CurrentFile"/>; the next file goes.</summary>
    public void DeleteNext()
    {
        if (File.Exists(NextPath))
        {
            File.Delete(NextPath);
        }
    }
}
