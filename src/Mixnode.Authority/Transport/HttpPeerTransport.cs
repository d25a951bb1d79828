using System.Net.Http.Headers;
using Mixnode.Pki;

namespace Mixnode.Authority.Transport;

/// <summary>The peers' HTTP API: <c>POST /v1/vote|reveal|signature</c>, and <c>GET /v1/consensus/{epoch}</c> through <see cref="DirectoryClient"/>.</summary>
internal sealed class HttpPeerTransport : IPeerTransport, IDisposable
{
    private readonly HttpClient _http;
    private readonly DirectoryClient _directory;

    public HttpPeerTransport(AuthoritySet authorities, TimeSpan timeout)
    {
        _http = new HttpClient { Timeout = timeout, MaxResponseContentBufferSize = 64 * 1024 };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("mixnode-authority", "1"));
        _directory = new DirectoryClient(authorities, timeout);
    }

    public async Task<PeerDelivery> SendAsync(AuthorityInfo peer, PeerMessageKind kind, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        try
        {
            using var content = new ReadOnlyMemoryContent(message);
            content.Headers.ContentType = new MediaTypeHeaderValue(DirectoryClient.MediaType);
            using HttpResponseMessage response = await _http.PostAsync(new Uri(peer.BaseUri, kind.ToPath()), content, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            return status is >= 200 and < 300 ? PeerDelivery.Delivered : status is >= 400 and < 500 ? PeerDelivery.Refused : PeerDelivery.Unreachable;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return PeerDelivery.Unreachable;
        }
    }

    public Task<byte[]?> FetchConsensusAsync(AuthorityInfo peer, long epoch, CancellationToken cancellationToken) =>
        _directory.FetchConsensusAsync(peer, epoch, cancellationToken);

    public void Dispose()
    {
        _http.Dispose();
        _directory.Dispose();
    }
}
