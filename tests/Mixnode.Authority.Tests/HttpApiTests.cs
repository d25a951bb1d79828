using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Hosting;
using Mixnode.Authority.Tests.Support;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests;

/// <summary>One authority (threshold 1 of 1) in a real Kestrel on 127.0.0.1, spoken to by <see cref="DirectoryClient"/>.</summary>
public sealed class HttpApiTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<TestNode> _nodes = [new("mix-0", NodeRole.Mix, 0), new("provider-0", NodeRole.Provider, 1)];
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    [Fact]
    public async Task Nodes_upload_over_http_and_fetch_the_genesis_consensus()
    {
        int managementPort = FreePort();
        await using WebApplication app = Build(managementPort);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => !a.EndsWith($":{managementPort}", StringComparison.Ordinal));
        var uri = new Uri(address);
        var authorities = new AuthoritySet([new AuthorityInfo("auth-0", $"127.0.0.1:{uri.Port}", PublicKey)], 1);
        using var client = new DirectoryClient(authorities, TimeSpan.FromSeconds(5));
        // Hour-long epochs: the test never straddles an epoch boundary in practice.
        var clock = new EpochClock(TimeProvider.System, TimeSpan.FromHours(1));
        long epoch = clock.Current;
        AuthorityInfo authority = authorities.Authorities[0];
        foreach (TestNode node in _nodes)
        {
            Assert.Null(await client.UploadDescriptorAsync(authority, node.Upload(epoch)));
            Assert.Null(await client.UploadDescriptorAsync(authority, node.Upload(epoch + 1)));
        }

        VerifiedDocument? document = null;
        for (int attempt = 0; attempt < 100 && document is null; attempt++)
        {
            document = await client.FetchVerifiedAsync(epoch, new DocumentGuard());
            if (document is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(document);
        Assert.Equal(epoch, document.Document.Epoch);
        Assert.Equal(2, document.Document.AllNodes.Count());
        Assert.NotNull(await client.FetchLatestAsync(authority));

        using var http = new HttpClient { BaseAddress = authority.BaseUri };
        using (HttpResponseMessage garbage = await http.PostAsync("v1/descriptor", new StringContent("not json", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
            Assert.Contains("\"error\":\"malformed\"", await garbage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (HttpResponseMessage big = await http.PostAsync("v1/descriptor", new ByteArrayContent(new byte[AuthorityApi.MaxDescriptorBytes + 1])))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
            Assert.Contains("\"error\":\"oversized\"", await big.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var stranger = new TestNode("stranger", NodeRole.Mix, 9);
        string? refused = await client.UploadDescriptorAsync(authority, stranger.Upload(epoch + 1));
        Assert.StartsWith("403", refused, StringComparison.Ordinal);
        Assert.Contains("unknown_signer", refused, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"v1/consensus/{epoch + 5}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("metrics")).StatusCode);

        // The management port answers health and metrics, and nothing of the API.
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}/") };
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("health/ready")).StatusCode);
        string metrics = await management.GetStringAsync("metrics");
        Assert.Contains("mixnode_authority_refused", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync("v1/consensus/latest")).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public void Invalid_settings_are_refused_with_the_setting_named()
    {
        OptionsValidationException invalid = Assert.Throws<OptionsValidationException>(() => AuthorityHost.BindOptions(
            AuthorityHost.ReadConfiguration(null, ["Mixnode:Authority:Name=a", "Mixnode:Authority:ListenAddress=nowhere", "Mixnode:Authority:Layers=9"])));
        Assert.Contains(invalid.Failures, f => f.Contains("ListenAddress", StringComparison.Ordinal));
        Assert.Contains(invalid.Failures, f => f.Contains("KeysDirectory", StringComparison.Ordinal));
        Assert.Contains(invalid.Failures, f => f.Contains("layers", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _key.Dispose();
        _directory.Dispose();
    }

    private Bytes32 PublicKey => Bytes32.From(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    private WebApplication Build(int managementPort)
    {
        string keys = Path.Combine(_directory.Path, "keys");
        Directory.CreateDirectory(keys);
        if (!OperatingSystem.IsWindows())
        {
            // The authority refuses a key directory open to group or others.
            File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        KeyFile.WriteEd25519(Path.Combine(keys, "authority.key"), _key);
        string authoritiesFile = Path.Combine(_directory.Path, "authorities.json");
        File.WriteAllBytes(authoritiesFile, new AuthoritySet([new AuthorityInfo("auth-0", "127.0.0.1:1", PublicKey)], 1).ToUtf8Json());
        string nodesFile = Path.Combine(_directory.Path, "nodes.json");
        File.WriteAllBytes(nodesFile, new NodeList(_nodes.Select(n => n.Listed)).ToUtf8Json());
        return AuthorityHost.Build(
            null,
            [
                "Mixnode:Authority:Name=auth-0",
                "Mixnode:Authority:ListenAddress=127.0.0.1:0",
                $"Mixnode:Authority:KeysDirectory={keys}",
                $"Mixnode:Authority:StateDirectory={Path.Combine(_directory.Path, "state")}",
                $"Mixnode:Authority:AuthoritiesFile={authoritiesFile}",
                $"Mixnode:Authority:NodesFile={nodesFile}",
                "Mixnode:Authority:EpochPeriod=01:00:00",
                "Mixnode:Authority:Layers=1",
                "Mixnode:Authority:AllowLoopbackAddresses=true",
                "Mixnode:Authority:BootstrapWait=00:00:10",
                "Mixnode:Authority:BootstrapPhaseTimeout=00:00:01",
                $"Mixnode:Authority:Management:ListenAddress=127.0.0.1:{managementPort}",
            ],
            logging: l => l.ClearProviders());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
