using System.Security.Cryptography;
using Mixnode.Client;
using Mixnode.Pki;

namespace Mixnode.IntegrationTests;

/// <summary>
/// The public client library against real in-process nodes that follow stub directory authorities (10-second epochs):
/// it connects with the authorities' consensus, and messages and echoes sent across epoch changes all arrive while
/// it switches documents at each boundary.
/// </summary>
public sealed class MixnetClientEpochTests
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Messages_and_echoes_arrive_across_epoch_changes()
    {
        using var network = LocalNetwork.Create(("provider", "provider", 0), ("mix", "mix", 0));
        string authorities = Path.Combine(network.Root, "authorities.json");
        await using StubAuthorityServer stub = await StubAuthorityServer.StartAsync(authorities, s_period, ["provider", "mix"], _ => []);
        string[] follow =
        [
            $"Mixnode:AuthoritiesFile={authorities}",
            "Mixnode:TopologyPath=",
            "Mixnode:AuthorityPublicKeyPath=",
            "Mixnode:EpochPeriod=00:00:10",
            "Mixnode:MaxNodeDelay=00:00:02",
            "Mixnode:Authorities:PollInterval=00:00:00.200",
            "Mixnode:Authorities:StartTimeout=00:00:30",
        ];
        InProcessNode[] nodes = await Task.WhenAll(
            InProcessNode.StartAsync(network, "provider", [.. follow, "Mixnode:Delivery:Sink=mailbox"]),
            InProcessNode.StartAsync(network, "mix", follow)).WaitAsync(TimeSpan.FromSeconds(45));
        await using InProcessNode provider = nodes[0];
        await using InProcessNode mix = nodes[1];

        using var latest = new LatestAsCurrentEpoch(new EpochClock(TimeProvider.System, s_period));
        await using MixnetClient client = await MixnetClient.ConnectAsync(new MixnetClientOptions
        {
            Authorities = DirectoryAuthorities.Load(authorities),
            ProviderName = "provider",
            PollInterval = TimeSpan.FromMilliseconds(10),
            HttpHandler = latest,
        });
        var changes = new List<long>();
        client.NetworkChanged += (_, e) =>
        {
            lock (changes)
            {
                changes.Add(e.Network.Epoch);
            }
        };
        Assert.Equal("provider", client.Address.ProviderName);
        Assert.True(client.Network.FirstEpoch <= client.CurrentEpoch && client.CurrentEpoch <= client.Network.LastEpoch);

        // One message and one echo every half second until the client has switched documents twice (bounded): counted
        // by switches, not by the clock, since the stub authorities publish a document only once every node uploaded
        // for it, which on a loaded machine can come an epoch late.
        var expectedMessages = new HashSet<string>();
        var expectedEchoes = new HashSet<Guid>();
        for (int i = 0; client.EpochChanges < 2 && i < 120; i++)
        {
            byte[] message = RandomNumberGenerator.GetBytes(64);
            expectedMessages.Add(Convert.ToHexString(message));
            await client.SendAsync(client.Address, message);
            expectedEchoes.Add(await client.SendEchoAsync(RandomNumberGenerator.GetBytes(32)));
            await Task.Delay(500);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int messages = 0, echoes = 0;
        while (messages < expectedMessages.Count || echoes < expectedEchoes.Count)
        {
            ReceivedMessage received = await client.Messages.ReadAsync(timeout.Token);
            if (received.Kind == ReceivedMessageKind.Message)
            {
                Assert.Contains(Convert.ToHexString(received.Payload.Span[..64]), expectedMessages);
                messages++;
            }
            else
            {
                Assert.Contains(received.ReplyTo!.Value, expectedEchoes);
                echoes++;
            }
        }

        Assert.True(client.EpochChanges >= 2, $"epoch changes seen: {client.EpochChanges}");
        lock (changes)
        {
            Assert.Equal(changes.Count, changes.Distinct().Count());
            Assert.Equal(changes.Order(), changes);
        }

        Assert.Equal(client.CurrentEpoch, client.Network.Epoch);
    }

    /// <summary>
    /// The stub authorities serve documents by epoch only; a client starts from <c>/v1/consensus/latest</c> (which the
    /// real authorities serve). This asks for the current epoch's document in its place and passes everything else on.
    /// </summary>
    private sealed class LatestAsCurrentEpoch(EpochClock clock) : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && uri.AbsolutePath == "/" + DirectoryClient.LatestPath)
            {
                request.RequestUri = new Uri(uri, "/" + DirectoryClient.ConsensusPath + clock.Current.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
