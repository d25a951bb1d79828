using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Three directory authorities (threshold 2) as one tiny Kestrel app on three 127.0.0.1 ports, speaking the
/// authorities' HTTP API: it takes descriptor uploads and, as soon as every expected node uploaded for an epoch,
/// publishes that epoch's consensus (signed by all three) built from the uploads plus fixed members (the test's
/// injector): the first one (genesis) at once, later ones from the middle of the epoch before theirs (as voting
/// authorities would). No voting: what the follower sees is what real authorities publish. A node can be dropped
/// from the next document not yet published.
/// </summary>
internal sealed class StubAuthorityServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Key[] _keys;
    private readonly TimeSpan _period;
    private readonly HashSet<string> _expected;
    private readonly Func<long, IEnumerable<NodeDescriptor>> _members;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Dictionary<string, NodeDescriptor>> _uploads = [];
    private readonly Dictionary<long, (NetworkDocument Document, byte[] Raw)> _documents = [];
    private readonly Dictionary<string, long> _excludedFrom = [];

    private StubAuthorityServer(WebApplication app, Key[] keys, TimeSpan period, IEnumerable<string> expected, Func<long, IEnumerable<NodeDescriptor>> members)
    {
        _app = app;
        _keys = keys;
        _period = period;
        _expected = [.. expected];
        _members = members;
    }

    public AuthoritySet Authorities { get; private set; } = null!;

    /// <summary>Starts the authorities and writes their authorities.json to <paramref name="authoritiesPath"/>.</summary>
    public static async Task<StubAuthorityServer> StartAsync(string authoritiesPath, TimeSpan period, IEnumerable<string> expected, Func<long, IEnumerable<NodeDescriptor>> members)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            for (int i = 0; i < 3; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        builder.Services.AddRoutingCore();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        WebApplication app = builder.Build();
        Key[] keys = [.. Enumerable.Range(0, 3).Select(_ => new Key(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters))];
        var server = new StubAuthorityServer(app, keys, period, expected, members);
        app.MapPost("/" + DirectoryClient.DescriptorPath, (RequestDelegate)server.UploadAsync);
        app.MapGet("/" + DirectoryClient.ConsensusPath + "{epoch}", (RequestDelegate)server.ConsensusAsync);
        await app.StartAsync();

        string[] addresses = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).Select(u => $"127.0.0.1:{u.Port}")];
        server.Authorities = new AuthoritySet(keys.Select((k, i) => new AuthorityInfo($"auth-{i}", addresses[i], Bytes32.From(k.PublicKey.Export(KeyBlobFormat.RawPublicKey)))), 2);
        await File.WriteAllBytesAsync(authoritiesPath, server.Authorities.ToUtf8Json());
        return server;
    }

    /// <summary>The published consensus for <paramref name="epoch"/>, if any.</summary>
    public NetworkDocument? Document(long epoch)
    {
        lock (_lock)
        {
            return _documents.TryGetValue(epoch, out var entry) ? entry.Document : null;
        }
    }

    /// <summary>Leaves <paramref name="name"/> out of every document not yet published; returns the first such epoch.</summary>
    public long DropFromNextDocument(string name)
    {
        lock (_lock)
        {
            long first = _documents.Count == 0 ? long.MinValue : _documents.Keys.Max() + 1;
            _excludedFrom[name] = first;
            return first;
        }
    }

    /// <summary>Who uploaded for <paramref name="epoch"/> (for failure messages).</summary>
    public string Uploaded(long epoch)
    {
        lock (_lock)
        {
            return _uploads.TryGetValue(epoch, out var forEpoch) ? string.Join('+', forEpoch.Keys.Order(StringComparer.Ordinal)) : "nobody";
        }
    }

    /// <summary>Lets <paramref name="name"/> into every document not yet published (once it uploaded for it).</summary>
    public void Readmit(string name)
    {
        lock (_lock)
        {
            _excludedFrom.Remove(name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (Key key in _keys)
        {
            key.Dispose();
        }
    }

    private async Task UploadAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        SignedDescriptor upload;
        try
        {
            upload = SignedDescriptor.Open(body.ToArray());
        }
        catch (SignedEnvelopeException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"{{\"error\": \"{e.Reason.ToTag()}\", \"message\": \"refused\"}}");
            return;
        }

        lock (_lock)
        {
            if (!_uploads.TryGetValue(upload.Epoch, out var forEpoch))
            {
                _uploads[upload.Epoch] = forEpoch = [];
            }

            forEpoch[upload.Descriptor.Name] = upload.Descriptor;
            TryPublish(upload.Epoch);
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task ConsensusAsync(HttpContext context)
    {
        byte[]? raw = null;
        if (long.TryParse(context.Request.RouteValues["epoch"] as string, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long epoch))
        {
            lock (_lock)
            {
                TryPublish(epoch);
                raw = _documents.TryGetValue(epoch, out var entry) ? entry.Raw : null;
            }
        }

        if (raw is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = DirectoryClient.MediaType;
        await context.Response.Body.WriteAsync(raw);
    }

    private void TryPublish(long epoch)
    {
        if (_documents.ContainsKey(epoch) || !_uploads.TryGetValue(epoch, out var uploads))
        {
            return;
        }

        var clock = new EpochClock(TimeProvider.System, _period);
        if (_documents.Count > 0 && DateTimeOffset.UtcNow < clock.StartOf(epoch - 1) + (_period / 2))
        {
            return;
        }

        var names = _expected.Where(n => !(_excludedFrom.TryGetValue(n, out long from) && epoch >= from)).ToList();
        if (!names.All(uploads.ContainsKey))
        {
            return;
        }

        var nodes = names.Select(n => uploads[n]).Concat(_members(epoch)).ToList();
        var mixes = nodes.Where(n => n.Role == NodeRole.Mix).ToList();
        var document = new NetworkDocument(
            _period,
            SphinxGeometry.Default,
            new MixingParameters(5, 0),
            new EpochRange(epoch, epoch + 1),
            nodes.Where(n => n.Role == NodeRole.Provider),
            Enumerable.Range(0, mixes.Max(m => m.Layer) + 1).Select(layer => mixes.Where(m => m.Layer == layer)),
            epoch);
        byte[] payload = SignedNetworkDocument.Payload(document);
        byte[] raw = SignedNetworkDocument.Assemble(payload, _keys.Select(k => new KeyValuePair<Bytes32, byte[]>(Bytes32.From(k.PublicKey.Export(KeyBlobFormat.RawPublicKey)), SignedNetworkDocument.SignPayload(payload, k))));
        _documents[epoch] = (document, raw);
    }
}
