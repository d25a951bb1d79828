using Mixnode.Pki;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// Keeps <c>DIR/topology.json</c> a copy of the authorities' current consensus while the testnet runs, so tools and
/// scripts that read one signed document (<c>loadgen --topology</c>) keep working on a network that runs itself.
/// Each refresh asks the authorities for their newest document, checks it against authorities.json (threshold of
/// signatures, never older than the last one copied) and replaces the file atomically when it is newer.
/// </summary>
internal sealed class ConsensusMirror : IDisposable
{
    private readonly DirectoryClient _directory;
    private readonly DocumentGuard _guard = new();
    private readonly string _path;

    public ConsensusMirror(string authoritiesFile, string topologyPath)
    {
        _directory = new DirectoryClient(AuthoritySet.Read(authoritiesFile), TimeSpan.FromSeconds(2));
        _path = topologyPath;
    }

    /// <summary>The document last copied, or null before the first.</summary>
    public NetworkDocument? Current { get; private set; }

    /// <summary>Asks for the newest document; true when topology.json holds one (this time or before).</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellation)
    {
        // One authority in random order answers; a lagging one's older document is simply not newer.
        VerifiedDocument? latest = await _directory.FetchVerifiedAsync(epoch: null, guard: null, refused: null, cancellation).ConfigureAwait(false);
        if (latest is not null && (Current is null || latest.Document.Epoch > Current.Epoch))
        {
            _guard.Accept(latest.Document);
            KeyFile.WriteAtomically(_path, latest.Raw, KeyFile.PublicMode);
            Current = latest.Document;
        }

        return Current is not null;
    }

    /// <summary>Each mix's layer in the current consensus (the authorities assign them), by node name.</summary>
    public IReadOnlyDictionary<string, int> Layers() =>
        Current is null
            ? new Dictionary<string, int>()
            : Current.Layers.SelectMany((members, layer) => members.Select(m => (m.Name, layer))).ToDictionary(p => p.Name, p => p.layer, StringComparer.Ordinal);

    public void Dispose() => _directory.Dispose();
}
