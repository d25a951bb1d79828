using System.Security.Cryptography;
using Mixnode.Client;
using Mixnode.Pki;

namespace Mixnode.IntegrationTests;

/// <summary>
/// The public client against real in-process nodes that follow stub directory authorities (10-second epochs): when a
/// consensus without its provider comes into force, it moves to the other provider, announces its new address, and
/// a message to that address arrives.
/// </summary>
public sealed class MixnetClientProviderMoveTests
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_whose_provider_leaves_the_consensus_moves_and_receives_at_its_new_address()
    {
        using var network = LocalNetwork.Create(("provider0", "provider", 0), ("provider1", "provider", 0), ("mix", "mix", 0));
        string authorities = Path.Combine(network.Root, "authorities.json");
        await using StubAuthorityServer stub = await StubAuthorityServer.StartAsync(authorities, s_period, ["provider0", "provider1", "mix"], _ => []);
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
            InProcessNode.StartAsync(network, "provider0", [.. follow, "Mixnode:Delivery:Sink=mailbox"]),
            InProcessNode.StartAsync(network, "provider1", [.. follow, "Mixnode:Delivery:Sink=mailbox"]),
            InProcessNode.StartAsync(network, "mix", follow)).WaitAsync(TimeSpan.FromSeconds(45));
        await using InProcessNode provider0 = nodes[0];
        await using InProcessNode provider1 = nodes[1];
        await using InProcessNode mix = nodes[2];

        var clock = new EpochClock(TimeProvider.System, s_period);
        using var latest = new LatestAsCurrentEpoch(clock);
        await using MixnetClient client = await MixnetClient.ConnectAsync(new MixnetClientOptions
        {
            Authorities = DirectoryAuthorities.Load(authorities),
            ProviderName = "provider0",
            PollInterval = TimeSpan.FromMilliseconds(10),
            HttpHandler = latest,
        });
        MixnetAddress before = client.Address;
        Assert.Equal("provider0", before.ProviderName);
        var moved = new TaskCompletionSource<ProviderChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ProviderChanged += (_, e) => moved.TrySetResult(e);

        long removal = stub.DropFromNextDocument("provider0");

        // A loaded machine may make a consensus late (the client then keeps the previous one): allow a few epochs.
        TimeSpan bound = (s_period * Math.Max(2, removal - clock.Current + 4)) + TimeSpan.FromSeconds(10);
        ProviderChangedEventArgs e = await moved.Task.WaitAsync(bound);
        Assert.Equal(before, e.PreviousAddress);
        Assert.Equal("provider1", e.Address.ProviderName);
        Assert.Equal(e.Address, client.Address);
        Assert.True(client.IsConnected);

        byte[] message = RandomNumberGenerator.GetBytes(64);
        await client.SendAsync(client.Address, message);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        ReceivedMessage received;
        do
        {
            received = await client.Messages.ReadAsync(timeout.Token);
        }
        while (received.Kind != ReceivedMessageKind.Message);

        Assert.Equal(message, received.Payload.Span[..64].ToArray());
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
