using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// N client links to one provider, each with a fresh key, that attempts take in turn (attempt i uses link i mod N).
/// A link the node has closed is replaced by a new one with a new key when it is next taken (a client that comes
/// back as someone else); <see cref="Reconnects"/> counts those. The replacement is made under the slot's lock, so
/// two attempts never both reconnect the same slot.
/// </summary>
internal sealed class AbuseLinkPool : IAsyncDisposable
{
    private readonly NodeDescriptor _provider;
    private readonly SphinxGeometry _geometry;
    private readonly bool _read;
    private readonly AbuseSources _sources;
    private readonly AbuseLink?[] _links;
    private readonly SemaphoreSlim[] _locks;
    private long _reconnects;
    private int _disposed;

    /// <param name="read">False: links that never read after the handshake (slow readers).</param>
    public AbuseLinkPool(NodeDescriptor provider, SphinxGeometry geometry, int size, bool read, AbuseSources sources)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _provider = provider;
        _geometry = geometry;
        _read = read;
        _sources = sources;
        _links = new AbuseLink?[size];
        _locks = [.. Enumerable.Range(0, size).Select(_ => new SemaphoreSlim(1, 1))];
    }

    public int Size => _links.Length;

    /// <summary>Links made again after the node closed the previous one.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>
    /// Connects every link now, before the paced phase, and says how many came up. A link the node refuses (or that
    /// cannot connect at all) is left for the attempts to try again, which count what happens then: a node that
    /// refuses clients is a result, not a failure of the tool.
    /// </summary>
    public async Task ConnectAllAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        int connected = 0;
        string? firstFailure = null;
        for (int i = 0; i < _links.Length; i++)
        {
            try
            {
                await GetAsync(i, cancellationToken).ConfigureAwait(false);
                connected++;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                firstFailure ??= $"{e.GetType().Name}: {e.Message}";
            }
        }

        Interlocked.Exchange(ref _reconnects, 0);
        output.WriteLine($"connected {connected} of {_links.Length} clients to provider {_provider.Name}{(firstFailure is null ? string.Empty : $" (first failure: {firstFailure})")}");
    }

    /// <summary>The open link of slot <paramref name="index"/> mod N, connecting a new one (fresh key) if it has none or it was closed.</summary>
    public async Task<AbuseLink> GetAsync(long index, CancellationToken cancellationToken)
    {
        int slot = (int)(index % _links.Length);
        if (Volatile.Read(ref _links[slot]) is { IsOpen: true } open)
        {
            return open;
        }

        SemaphoreSlim gate = _locks[slot];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            AbuseLink? old = _links[slot];
            if (old is { IsOpen: true })
            {
                return old;
            }

            if (old is not null)
            {
                Interlocked.Increment(ref _reconnects);
                await old.DisposeAsync().ConfigureAwait(false);
                _links[slot] = null;
            }

            using X25519PrivateKey key = X25519PrivateKey.Generate();
            AbuseLink link = await AbuseLink.ConnectAsync(_provider, _geometry, key, _read, _sources.NewSocket(slot), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _links[slot], link);
            return link;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Messages the links received (links that read only).</summary>
    public long Messages => _links.Sum(l => l?.Messages ?? 0);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        for (int i = 0; i < _links.Length; i++)
        {
            await _locks[i].WaitAsync().ConfigureAwait(false);
            try
            {
                if (_links[i] is { } link)
                {
                    await link.DisposeAsync().ConfigureAwait(false);
                    _links[i] = null;
                }
            }
            finally
            {
                _locks[i].Release();
            }
        }
    }
}
