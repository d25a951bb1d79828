using System.Globalization;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>slow-readers</c>: N clients of the target provider that connect and then never read their socket; at R/s in
/// all they send RetrieveMessage requests, whose answers (messages or MessageEmpty, full frames either way) pile up
/// in our small input pipe, the kernel's buffers and then the provider's sends. A client the provider closes comes
/// back with a new key (counted as a reconnect).
/// </summary>
internal sealed class SlowReadersAbuse : IAbuse
{
    private readonly AbuseLinkPool _links;
    private readonly TextWriter _output;

    public SlowReadersAbuse(AbuseTarget target, AbuseOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        _links = new AbuseLinkPool(target.Provider, target.Topology.Geometry, options.Clients, read: false, target.Sources);
        _output = output;
    }

    public async Task PrepareAsync(long expectedAttempts, CancellationToken cancellationToken)
    {
        _output.WriteLine("clients that never read after the handshake:");
        await _links.ConnectAllAsync(_output, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AbuseOutcome> AttemptAsync(long index, CancellationToken cancellationToken)
    {
        AbuseLink link = await _links.GetAsync(index, cancellationToken).ConfigureAwait(false);

        // A provider that stopped reading us holds this send; the loop's concurrency bound then skips attempts.
        await link.RetrieveAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return AbuseOutcome.Succeeded;
    }

    public Task<IReadOnlyList<KeyValuePair<string, string>>> FinishAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>([new("reconnects", _links.Reconnects.ToString(CultureInfo.InvariantCulture))]);

    public ValueTask DisposeAsync() => _links.DisposeAsync();
}
