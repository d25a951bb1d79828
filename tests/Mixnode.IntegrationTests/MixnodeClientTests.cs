using System.Security.Cryptography;
using System.Text.Json;
using Mixnode.Cli;
using Mixnode.Client;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Xunit.Abstractions;

namespace Mixnode.IntegrationTests;

/// <summary>The client library and loadgen against in-process nodes: provider → mix0 → mix1 → provider over real sockets.</summary>
public sealed class MixnodeClientTests
{
    private static readonly ClientLinkOptions s_fastPoll = new() { PollInterval = TimeSpan.FromMilliseconds(10) };

    private readonly ITestOutputHelper _log;

    public MixnodeClientTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public async Task Two_clients_exchange_a_message_through_the_mixes()
    {
        using LocalNetwork network = CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=mailbox");
        NetworkTopology topology = Load(network);

        await using MixnodeClient alice = await ConnectAsync(topology);
        await using MixnodeClient bob = await ConnectAsync(topology);
        Assert.NotEqual(alice.Id, bob.Id);

        byte[] message = RandomNumberGenerator.GetBytes(300);
        Assert.True(await alice.SendAsync(bob.Provider, bob.Id, message));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        ClientDelivery delivery = await bob.Received.ReadAsync(timeout.Token);
        Assert.Equal(ClientDeliveryKind.Message, delivery.Kind);
        Assert.Equal(message, delivery.Payload[..message.Length]);
        Assert.Equal(0, alice.Received.Count);
    }

    [Fact]
    public async Task An_echo_comes_back_through_the_surb_and_decrypts()
    {
        using LocalNetwork network = CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=mailbox");
        await using MixnodeClient client = await ConnectAsync(Load(network));

        byte[] payload = RandomNumberGenerator.GetBytes(200);
        Bytes16 id = await client.SendEchoAsync(payload);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        ClientDelivery delivery = await client.Received.ReadAsync(timeout.Token);
        Assert.Equal(ClientDeliveryKind.SurbReply, delivery.Kind);
        Assert.Equal(id, delivery.SurbId);
        byte[]? opened = client.TryOpenReply(delivery);
        Assert.NotNull(opened);
        Assert.Equal(payload, opened[..payload.Length]);
    }

    [Fact]
    public async Task Loadgen_delivers_everything_it_sends_across_two_providers_and_writes_its_reports()
    {
        using LocalNetwork network = LocalNetwork.Create(("mix0", "mix", 0), ("mix1", "mix", 1), ("provider", "provider", -1), ("provider2", "provider", -1));
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=mailbox");
        await using InProcessNode provider2 = await InProcessNode.StartAsync(network, "provider2", "Mixnode:Delivery:Sink=mailbox");
        string report = Path.Combine(network.Root, "report.json");

        var output = new StringWriter();
        int exit = await Task.Run(() => MixnodeCommand.Run(
            ["loadgen", "--topology", network.TopologyPath, "--authority-pub", network.AuthorityPublicPath, "--rate", "30", "--duration", "2", "--clients", "4", "--report", report],
            output));
        _log.WriteLine(output.ToString());
        Assert.True(exit == 0, output.ToString());

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(report));
        JsonElement root = json.RootElement;
        long sent = root.GetProperty("sent").GetInt64();
        Assert.True(sent > 0, output.ToString());
        Assert.Equal(sent, root.GetProperty("delivered").GetInt64());
        Assert.Equal(0, root.GetProperty("lost").GetInt64());
        Assert.Equal(0, root.GetProperty("duplicates").GetInt64());
        Assert.True(root.GetProperty("prebuilt").GetBoolean());
        Assert.Equal(4, root.GetProperty("clients").GetInt32());
        Assert.Contains("connected 4 clients to 2 providers", output.ToString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("latency_ms").GetProperty("p50").GetDouble() > 0);
        Assert.Contains("<svg", File.ReadAllText(report + ".html"), StringComparison.Ordinal);
        Assert.DoesNotContain("trust on first use", output.ToString(), StringComparison.Ordinal);
    }

    private static LocalNetwork CreateNetwork() =>
        LocalNetwork.Create(("mix0", "mix", 0), ("mix1", "mix", 1), ("provider", "provider", -1));

    private static NetworkTopology Load(LocalNetwork network) =>
        TopologyLoader.Load(network.TopologyPath, Bytes32.From(KeyFile.ReadPublic(network.AuthorityPublicPath, KeyType.Ed25519)), out _);

    /// <summary>Connects, retrying while the provider's client listener starts.</summary>
    private static async Task<MixnodeClient> ConnectAsync(NetworkTopology topology)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                return await MixnodeClient.ConnectAsync(topology, options: s_fastPoll);
            }
            catch (ClientException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
