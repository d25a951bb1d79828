using System.Collections.Concurrent;
using System.Net;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Client.Tests.Consensus;

/// <summary>
/// Three directory authorities (threshold 2) behind one <see cref="HttpMessageHandler"/>, serving the documents a test
/// publishes at <c>/v1/consensus/{epoch}</c> and the newest at <c>/v1/consensus/latest</c>.
/// </summary>
internal sealed class StubAuthorities : HttpMessageHandler
{
    private readonly Key[] _keys = [NewKey(), NewKey(), NewKey()];
    private readonly ConcurrentDictionary<long, byte[]> _documents = new();

    public StubAuthorities() =>
        Set = new AuthoritySet(_keys.Select((k, i) => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{31000 + i}", PublicKeyOf(k))), 2);

    public AuthoritySet Set { get; }

    /// <summary>The public list, as a client reads it from authorities.json.</summary>
    public DirectoryAuthorities Public => DirectoryAuthorities.Parse(Set.ToUtf8Json());

    public ConcurrentQueue<string> Requests { get; } = new();

    public void Publish(NetworkDocument document, int signers = 3)
    {
        byte[] payload = SignedNetworkDocument.Payload(document);
        _documents[document.Epoch] = SignedNetworkDocument.Assemble(
            payload,
            _keys.Take(signers).Select(k => new KeyValuePair<Bytes32, byte[]>(PublicKeyOf(k), SignedNetworkDocument.SignPayload(payload, k))));
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string path = request.RequestUri!.AbsolutePath;
        Requests.Enqueue(path);
        byte[]? document = null;
        if (path == "/" + DirectoryClient.LatestPath)
        {
            document = _documents.IsEmpty ? null : _documents[_documents.Keys.Max()];
        }
        else if (path.StartsWith("/" + DirectoryClient.ConsensusPath, StringComparison.Ordinal)
            && long.TryParse(path.AsSpan(DirectoryClient.ConsensusPath.Length + 1), out long epoch))
        {
            _documents.TryGetValue(epoch, out document);
        }

        return Task.FromResult(document is null
            ? new HttpResponseMessage(HttpStatusCode.NotFound)
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(document) });
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

    private static Key NewKey() => new(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);

    private static Bytes32 PublicKeyOf(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
}
