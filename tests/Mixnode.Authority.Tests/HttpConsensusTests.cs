using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Hosting;
using Mixnode.Authority.Tests.Support;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests;

/// <summary>Three authorities, each its own Kestrel on 127.0.0.1, talking HTTP to each other as the processes do.</summary>
public sealed class HttpConsensusTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<TestNode> _nodes = [new("mix-0", NodeRole.Mix, 0), new("provider-0", NodeRole.Provider, 1)];
    private readonly Key[] _keys = [.. Enumerable.Range(0, 3).Select(_ => Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }))];

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public async Task Authorities_agree_over_http_on_genesis(int running)
    {
        int[] ports = [.. Enumerable.Range(0, 3).Select(_ => FreePort())];
        var authorities = new AuthoritySet(_keys.Select((k, i) => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{ports[i]}", PublicKey(k))), 2);
        List<WebApplication> apps = [.. Enumerable.Range(0, running).Select(i => Build(i, authorities))];
        try
        {
            await Task.WhenAll(apps.Select(a => a.StartAsync()));
            using var client = new DirectoryClient(authorities, TimeSpan.FromSeconds(5));
            long epoch = new EpochClock(TimeProvider.System, TimeSpan.FromHours(1)).Current;
            foreach (TestNode node in _nodes)
            {
                foreach (AuthorityInfo authority in authorities.Authorities.Take(running))
                {
                    Assert.Null(await client.UploadDescriptorAsync(authority, node.Upload(epoch)));
                }
            }

            var files = new byte[]?[running];
            for (int attempt = 0; attempt < 150 && files.Any(f => f is null); attempt++)
            {
                for (int i = 0; i < running; i++)
                {
                    files[i] ??= await client.FetchConsensusAsync(authorities.Authorities[i], epoch);
                }

                await Task.Delay(100);
            }

            Assert.All(files, f => Assert.NotNull(f));
            Assert.All(files, f => Assert.Equal(files[0], f));
            (NetworkDocument document, IReadOnlyList<Bytes32> signers) = SignedNetworkDocument.VerifyWithSigners(files[0]!, authorities);
            Assert.Equal(epoch, document.Epoch);
            Assert.Equal(running, signers.Count);
        }
        finally
        {
            foreach (WebApplication app in apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        foreach (Key key in _keys)
        {
            key.Dispose();
        }

        _directory.Dispose();
    }

    private WebApplication Build(int index, AuthoritySet authorities)
    {
        string root = Path.Combine(_directory.Path, $"auth-{index}");
        string keys = Path.Combine(root, "keys");
        Directory.CreateDirectory(keys);
        if (!OperatingSystem.IsWindows())
        {
            // The authority refuses a key directory open to group or others.
            File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        KeyFile.WriteEd25519(Path.Combine(keys, "authority.key"), _keys[index]);
        string authoritiesFile = Path.Combine(root, "authorities.json");
        File.WriteAllBytes(authoritiesFile, authorities.ToUtf8Json());
        string nodesFile = Path.Combine(root, "nodes.json");
        File.WriteAllBytes(nodesFile, new NodeList(_nodes.Select(n => n.Listed)).ToUtf8Json());
        return AuthorityHost.Build(
            null,
            [
                $"Mixnode:Authority:Name=auth-{index}",
                $"Mixnode:Authority:ListenAddress={authorities.Authorities[index].Address}",
                $"Mixnode:Authority:KeysDirectory={keys}",
                $"Mixnode:Authority:StateDirectory={Path.Combine(root, "state")}",
                $"Mixnode:Authority:AuthoritiesFile={authoritiesFile}",
                $"Mixnode:Authority:NodesFile={nodesFile}",
                // Hour-long epochs: the test never straddles an epoch boundary in practice.
                "Mixnode:Authority:EpochPeriod=01:00:00",
                "Mixnode:Authority:Layers=1",
                "Mixnode:Authority:AllowLoopbackAddresses=true",
                "Mixnode:Authority:BootstrapWait=00:00:10",
                "Mixnode:Authority:BootstrapPhaseTimeout=00:00:01",
            ],
            logging: l => l.ClearProviders());
    }

    private static Bytes32 PublicKey(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
