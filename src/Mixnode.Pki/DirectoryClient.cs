using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Mixnode.Pki;

/// <summary>
/// Talks to the directory authorities over their HTTP API (plain HTTP: everything it carries is public and signed,
/// so transport security would add nothing the signatures do not give):
/// <list type="bullet">
/// <item><c>POST /v1/descriptor</c> — a <see cref="SignedDescriptor"/>; 202 accepted, 4xx with the refusal.</item>
/// <item><c>GET /v1/consensus/{epoch}</c> — the threshold-signed document for that epoch; 404 until published.</item>
/// <item><c>GET /v1/consensus/latest</c> — the newest document the authority holds.</item>
/// </list>
/// Nothing here trusts an authority's answer: every document is verified against the <see cref="AuthoritySet"/>
/// (threshold of signatures) by the caller's <see cref="DocumentGuard"/> or by <see cref="FetchVerifiedAsync"/>.
/// </summary>
internal sealed class DirectoryClient : IDisposable
{
    public const string DescriptorPath = "v1/descriptor";
    public const string ConsensusPath = "v1/consensus/";
    public const string LatestPath = "v1/consensus/latest";
    public const string MediaType = "application/json";

    private readonly HttpClient _http;

    public DirectoryClient(AuthoritySet authorities, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        Authorities = authorities;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(5);
        _http.DefaultRequestHeaders.UserAgent.Clear();
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("mixnode", "1"));
        _http.MaxResponseContentBufferSize = SignedNetworkDocument.MaxLength;
    }

    public AuthoritySet Authorities { get; }

    /// <summary>Uploads to one authority. Returns null when accepted, else the authority's refusal (or the transport error).</summary>
    public async Task<string?> UploadDescriptorAsync(AuthorityInfo authority, SignedDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(descriptor);
        try
        {
            using var content = new ReadOnlyMemoryContent(descriptor.Envelope.Raw);
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
            using HttpResponseMessage response = await _http.PostAsync(new Uri(authority.BaseUri, DescriptorPath), content, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return $"{(int)response.StatusCode}: {Truncate(body)}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"unreachable: {e.Message}";
        }
    }

    /// <summary>The raw document for <paramref name="epoch"/> (null: the authority has none yet, or is unreachable).</summary>
    public Task<byte[]?> FetchConsensusAsync(AuthorityInfo authority, long epoch, CancellationToken cancellationToken = default) =>
        GetAsync(authority, ConsensusPath + epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    /// <summary>The authority's newest raw document (null: none, or unreachable).</summary>
    public Task<byte[]?> FetchLatestAsync(AuthorityInfo authority, CancellationToken cancellationToken = default) =>
        GetAsync(authority, LatestPath, cancellationToken);

    /// <summary>
    /// Asks the authorities in random order for the document of <paramref name="epoch"/> (or the latest when null)
    /// and returns the first one that verifies against the threshold and passes <paramref name="guard"/> (which then
    /// records it). Null when none had one. Refusals go to <paramref name="refused"/> (reason, message).
    /// </summary>
    public async Task<VerifiedDocument?> FetchVerifiedAsync(long? epoch, DocumentGuard? guard, Action<PkiRefusal, string>? refused = null, CancellationToken cancellationToken = default)
    {
        AuthorityInfo[] order = [.. Authorities.Authorities];
        RandomNumberGenerator.Shuffle(order.AsSpan());
        foreach (AuthorityInfo authority in order)
        {
            byte[]? raw = epoch is { } e
                ? await FetchConsensusAsync(authority, e, cancellationToken).ConfigureAwait(false)
                : await FetchLatestAsync(authority, cancellationToken).ConfigureAwait(false);
            if (raw is null)
            {
                continue;
            }

            try
            {
                NetworkDocument document = SignedNetworkDocument.Verify(raw, Authorities);
                if (epoch is { } wanted && document.Epoch != wanted)
                {
                    throw new TopologyException(PkiRefusal.WrongEpoch, $"asked for the document of epoch {wanted}, got epoch {document.Epoch}");
                }

                guard?.Accept(document);
                return new VerifiedDocument(document, raw);
            }
            catch (TopologyException t)
            {
                refused?.Invoke(t.Reason, t.Message);
            }
        }

        return null;
    }

    public void Dispose() => _http.Dispose();

    private async Task<byte[]?> GetAsync(AuthorityInfo authority, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authority);
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri(authority.BaseUri, path), cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK
                ? await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

/// <summary>A document that verified, with the exact bytes it came in (to cache or pass on).</summary>
internal sealed record VerifiedDocument(NetworkDocument Document, byte[] Raw);
