using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Node.Tests.Topology;

/// <summary>
/// Three directory authorities (threshold 2) behind one <see cref="HttpMessageHandler"/>: they serve the documents a
/// test puts into <see cref="Documents"/> (signed by all three unless it says otherwise) and record every descriptor
/// upload and every fetch with the fake time it happened at.
/// </summary>
internal sealed class StubDirectory : HttpMessageHandler
{
    private readonly TimeProvider _time;
    private readonly Key[] _keys;

    public StubDirectory(TimeProvider time)
    {
        _time = time;
        _keys = [TestNetwork.NewAuthority(), TestNetwork.NewAuthority(), TestNetwork.NewAuthority()];
        Authorities = new AuthoritySet(_keys.Select((k, i) => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{31000 + i}", TestNetwork.PublicKeyOf(k))), 2);
    }

    public AuthoritySet Authorities { get; }

    /// <summary>What every authority serves at <c>/v1/consensus/{epoch}</c>.</summary>
    public ConcurrentDictionary<long, byte[]> Documents { get; } = new();

    public ConcurrentQueue<(int Authority, SignedDescriptor Descriptor, DateTimeOffset At)> Uploads { get; } = new();

    public ConcurrentQueue<(long Epoch, DateTimeOffset At)> Fetches { get; } = new();

    /// <summary>While true, every request fails as if no authority listened.</summary>
    public bool Down { get; set; }

    /// <summary>The refusal tag an upload gets (null: accepted).</summary>
    public Func<SignedDescriptor, string?> UploadRefusal { get; set; } = _ => null;

    /// <summary>The signed file for <paramref name="document"/>, signed by the first <paramref name="signers"/> authorities.</summary>
    public byte[] Sign(NetworkDocument document, int signers = 3)
    {
        byte[] payload = SignedNetworkDocument.Payload(document);
        return SignedNetworkDocument.Assemble(payload, _keys.Take(signers).Select(k => new KeyValuePair<Bytes32, byte[]>(TestNetwork.PublicKeyOf(k), SignedNetworkDocument.SignPayload(payload, k))));
    }

    public void Publish(NetworkDocument document, int signers = 3) => Documents[document.Epoch] = Sign(document, signers);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Down)
        {
            throw new HttpRequestException("connection refused");
        }

        int authority = request.RequestUri!.Port - 31000;
        string path = request.RequestUri.AbsolutePath;
        if (request.Method == HttpMethod.Post && path == "/" + DirectoryClient.DescriptorPath)
        {
            byte[] raw = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            SignedDescriptor descriptor = SignedDescriptor.Open(raw);
            Uploads.Enqueue((authority, descriptor, _time.GetUtcNow()));
            string? refusal = UploadRefusal(descriptor);
            return refusal is null
                ? new HttpResponseMessage(HttpStatusCode.Accepted)
                : new HttpResponseMessage(HttpStatusCode.Conflict) { Content = new StringContent($"{{\"error\": \"{refusal}\", \"message\": \"refused\"}}", Encoding.UTF8, "application/json") };
        }

        if (request.Method == HttpMethod.Get && path.StartsWith("/" + DirectoryClient.ConsensusPath, StringComparison.Ordinal)
            && long.TryParse(path.AsSpan(DirectoryClient.ConsensusPath.Length + 1), out long epoch))
        {
            Fetches.Enqueue((epoch, _time.GetUtcNow()));
            return Documents.TryGetValue(epoch, out byte[]? document)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(document) }
                : new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (Key key in _keys)
            {
                key.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
