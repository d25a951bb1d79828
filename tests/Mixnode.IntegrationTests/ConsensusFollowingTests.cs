using System.Security.Cryptography;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Three nodes on loopback following stub directory authorities (<c>Mixnode:AuthoritiesFile</c>, 10-second epochs, the shortest a node accepts):
/// they start from the genesis consensus built from their own uploads, traffic flows, and when a consensus without
/// one mix comes into force the others close their links to it, both ways, while the remaining routes carry on.
/// </summary>
public sealed class ConsensusFollowingTests
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Nodes_follow_the_authorities_and_close_links_to_a_mix_dropped_from_the_consensus()
    {
        using var network = LocalNetwork.Create(("provider", "provider", 0), ("mixA", "mix", 0), ("mixB", "mix", 0), ("injector", "provider", 0));
        string authorities = Path.Combine(network.Root, "authorities.json");
        await using StubAuthorityServer stub = await StubAuthorityServer.StartAsync(authorities, s_period, ["provider", "mixA", "mixB"], epoch => [Injector(network, epoch)]);
        string[] follow = Follow(authorities);

        // Started together: each start waits for the genesis consensus, which needs every node's upload.
        Task<InProcessNode>[] starting =
        [
            InProcessNode.StartAsync(network, "provider", [.. follow, "Mixnode:Delivery:Sink=count"]),
            InProcessNode.StartAsync(network, "mixA", follow),
            InProcessNode.StartAsync(network, "mixB", follow),
        ];
        InProcessNode[] nodes = await Task.WhenAll(starting).WaitAsync(TimeSpan.FromSeconds(45));
        await using InProcessNode provider = nodes[0];
        await using InProcessNode mixA = nodes[1];
        await using InProcessNode mixB = nodes[2];
        var clock = new EpochClock(TimeProvider.System, s_period);

        // Traffic through both mixes.
        await using InjectorLink linkA = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mixA", TimeSpan.FromSeconds(10));
        await using InjectorLink linkB = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mixB", TimeSpan.FromSeconds(10));
        await SendAsync(stub, clock, linkA, "mixA", 20);
        await SendAsync(stub, clock, linkB, "mixB", 20);
        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count >= 40, TimeSpan.FromSeconds(15)), $"delivered {provider.Delivered.Count} of 40; {Diagnose(nodes)}");

        // The provider's links: in from both mixes, out to both (its next layer).
        Assert.True(await Eventually.TrueAsync(() => InProcessNode.Total(provider.LinksOpened) >= 4, TimeSpan.FromSeconds(10)), $"links opened at the provider: {InProcessNode.Total(provider.LinksOpened)}");
        long openedBefore = InProcessNode.Total(provider.LinksOpened);
        Assert.Equal(0, provider.Closed("removed"));

        long removal = stub.DropFromNextDocument("mixB");
        Assert.True(
            // A loaded machine may make a consensus late (the nodes then keep the previous one): allow a few epochs.
            await Eventually.TrueAsync(() => provider.Closed("removed") >= 2, (s_period * (removal - clock.Current + 4)) + TimeSpan.FromSeconds(10)),
            $"links closed as removed at the provider: {provider.Closed("removed")} (removal from {removal}); {Documents(stub, clock)}");
        Assert.True(clock.Current >= removal, $"removed before epoch {removal}, now {clock.Current}");
        Assert.Equal(0, mixA.Closed("removed"));

        // The remaining route carries on; mixA kept every link (a peer in both documents keeps its link).
        int delivered = provider.Delivered.Count;
        await SendAsync(stub, clock, linkA, "mixA", 20);
        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count >= delivered + 20, TimeSpan.FromSeconds(15)), $"delivered {provider.Delivered.Count - delivered} of 20 after the removal");
        Assert.Equal(openedBefore, InProcessNode.Total(provider.LinksOpened));
        Assert.Equal(2, provider.Closed("removed"));

        // Nothing else closed between the provider and mixA (a peer in both documents keeps its links); mixB's
        // reconnects to the provider are refused in the handshake.
        long others = InProcessNode.Total(provider.LinksClosed) - provider.Closed("removed") - provider.Closed("unknown_peer");
        Assert.True(others == 0 && InProcessNode.Total(mixA.LinksClosed) == 0, $"closed at the provider: {Closes(provider)}; at mixA: {Closes(mixA)}");
    }

    [Fact]
    public async Task A_node_missing_from_the_consensus_starts_not_ready_and_forwards_once_a_later_consensus_lists_it()
    {
        using var network = LocalNetwork.Create(("provider", "provider", 0), ("mixA", "mix", 0), ("late", "mix", 0), ("injector", "provider", 0));
        string authorities = Path.Combine(network.Root, "authorities.json");
        await using StubAuthorityServer stub = await StubAuthorityServer.StartAsync(authorities, s_period, ["provider", "mixA", "late"], epoch => [Injector(network, epoch)]);
        stub.DropFromNextDocument("late");
        string[] follow = Follow(authorities);
        InProcessNode[] nodes = await Task.WhenAll(
            InProcessNode.StartAsync(network, "provider", [.. follow, "Mixnode:Delivery:Sink=count"]),
            InProcessNode.StartAsync(network, "mixA", follow)).WaitAsync(TimeSpan.FromSeconds(45));
        await using InProcessNode provider = nodes[0];
        await using InProcessNode mixA = nodes[1];

        // Not in the consensus: it starts (file mode would refuse), and is not ready for that reason.
        await using InProcessNode late = await InProcessNode.StartAsync(network, "late", [.. follow, "Mixnode:Management:ListenAddress=127.0.0.1:0"]).WaitAsync(TimeSpan.FromSeconds(30));
        Uri management = late.Management!;
        Assert.Equal("Unhealthy", (await ReadyAsync(management))["network"]);

        var clock = new EpochClock(TimeProvider.System, s_period);
        stub.Readmit("late");
        Assert.True(
            await Eventually.TrueAsync(async () => (await ReadyAsync(management))["network"] == "Healthy", (s_period * 3) + TimeSpan.FromSeconds(10)),
            $"late not listed: {Documents(stub, clock)}");

        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "late", TimeSpan.FromSeconds(10));
        Assert.True(await Eventually.TrueAsync(() => InForce(stub, clock)?.AllNodes.Any(n => n.Name == "late") == true, s_period * 3), $"the current consensus lists late: {Documents(stub, clock)}");
        await SendAsync(stub, clock, link, "late", 20);
        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count >= 20, TimeSpan.FromSeconds(15)), $"delivered {provider.Delivered.Count} of 20; {Diagnose([provider, mixA, late])}");
    }

    /// <summary>What the nodes use now: this epoch's consensus, or the previous one while this one is late (it covers this epoch too).</summary>
    private static NetworkDocument? InForce(StubAuthorityServer stub, EpochClock clock) =>
        stub.Document(clock.Current) ?? stub.Document(clock.Current - 1);

    private static string Documents(StubAuthorityServer stub, EpochClock clock) =>
        $"now {clock.Current}; " + string.Join(", ", Enumerable.Range(-3, 5).Select(d => $"{clock.Current + d}: {(stub.Document(clock.Current + d) is { } doc ? string.Join('+', doc.AllNodes.Select(n => n.Name)) : "none")} (uploads {stub.Uploaded(clock.Current + d)})"));

    [Fact]
    public void Mixnode_run_without_a_reachable_authority_fails_its_start_with_one_line_after_the_timeout()
    {
        using var network = ChainTests.CreateNetwork();
        string authorities = Path.Combine(network.Root, "authorities.json");
        var nobody = new AuthoritySet(Enumerable.Range(0, 3).Select(i => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{FreePort()}", Bytes32.From(RandomNumberGenerator.GetBytes(32)))), 2);
        File.WriteAllBytes(authorities, nobody.ToUtf8Json());
        var output = new StringWriter();

        int exit = Mixnode.Cli.MixnodeCommand.Run(["run", .. network.Settings("mix0", [.. Follow(authorities), "Mixnode:EpochPeriod=00:20:00", "Mixnode:MaxNodeDelay=00:00:02", "Mixnode:Authorities:StartTimeout=00:00:02"])], output);

        Assert.Equal(2, exit);
        string text = output.ToString();
        Assert.Contains("no consensus from the directory authorities (2 of 3 authorities", text, StringComparison.Ordinal);
        Assert.Contains("Mixnode:Authorities:StartTimeout", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string[] Follow(string authorities) =>
    [
        $"Mixnode:AuthoritiesFile={authorities}",
        "Mixnode:TopologyPath=",
        "Mixnode:AuthorityPublicKeyPath=",
        "Mixnode:EpochPeriod=00:00:10",
        "Mixnode:MaxNodeDelay=00:00:02",
        "Mixnode:Authorities:PollInterval=00:00:00.200",
        "Mixnode:Authorities:StartTimeout=00:00:30",
    ];

    private static async Task<Dictionary<string, string>> ReadyAsync(Uri management)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using HttpResponseMessage response = await http.GetAsync(new Uri(management, "/health/ready"));
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    private static string Closes(InProcessNode node) =>
        string.Join(", ", node.LinksClosed.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["reason"]!).Select(g => $"{g.Key}={g.Sum(m => m.Value)}"));

    private static string Diagnose(InProcessNode[] nodes) => string.Join("; ", nodes.Select((n, i) =>
        $"node {i}: received {InProcessNode.Total(n.Received)}, dropped " +
        string.Join(",", new[] { "malformed", "mac", "replay", "overload", "delay", "no_route", "peer_down", "not_provider", "shutdown" }.Select(r => $"{r}={n.Dropped(r)}")) +
        $", opened {InProcessNode.Total(n.LinksOpened)}"));

    private static async Task SendAsync(StubAuthorityServer stub, EpochClock clock, InjectorLink link, string mix, int count)
    {
        long epoch = clock.Current;
        NetworkDocument document = InForce(stub, clock) ?? throw new InvalidOperationException($"no consensus covers epoch {epoch}");
        for (int i = 0; i < count; i++)
        {
            Assert.True(await link.SendAsync(Packet(document, epoch, [mix, "provider"])), $"link to {mix} open");
        }
    }

    private static byte[] Packet(NetworkDocument document, long epoch, string[] route)
    {
        SphinxGeometry geometry = document.Geometry;
        var path = new PathHop[route.Length];
        for (int i = 0; i < route.Length; i++)
        {
            NodeDescriptor node = document.AllNodes.Single(n => n.Name == route[i]);
            RoutingCommands commands = i == route.Length - 1 ? RoutingCommands.ToRecipient(RandomNumberGenerator.GetBytes(32)) : RoutingCommands.Delay(0);
            // Locals, not temporaries: a span over a property's temporary copy may see the slot reused.
            Bytes32 id = node.Id;
            Bytes32 mixKey = node.MixKeys[epoch];
            path[i] = new PathHop(id.AsReadOnlySpan(), mixKey.AsReadOnlySpan(), commands);
        }

        byte[] packet = new byte[geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(geometry, path, RandomNumberGenerator.GetBytes(geometry.ForwardPayloadLength), packet);
        return packet;
    }

    /// <summary>The test's own member (it opens links as a provider would); its mix keys are never used.</summary>
    private static NodeDescriptor Injector(LocalNetwork network, long epoch)
    {
        NodeDescriptor keys = network["injector"];
        return new NodeDescriptor(
            "injector",
            keys.IdentityKey,
            keys.LinkKey,
            keys.Addresses,
            NodeRole.Provider,
            NodeDescriptor.NoLayer,
            [new(epoch, Bytes32.From(RandomNumberGenerator.GetBytes(32))), new(epoch + 1, Bytes32.From(RandomNumberGenerator.GetBytes(32)))]);
    }
}
