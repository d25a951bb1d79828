using System.Security.Cryptography;
using Mixnode.Client.Tests.Consensus;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Client.Tests;

/// <summary>
/// The public client end to end against stub authorities (HTTP, threshold-signed documents) and a fake provider
/// (a real socket and Noise link), on a fake clock one minute into epoch 1000.
/// </summary>
public sealed class MixnetClientTests : IAsyncDisposable
{
    private readonly TestNetwork _network = new(layers: 1, perLayer: 1, providers: 1, keyEpochs: 3);
    private readonly StubAuthorities _authorities = new();
    private readonly FakeProvider _provider;

    public MixnetClientTests() => _provider = new FakeProvider(_network.Geometry, longPoll: true);

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _authorities.Dispose();
        _network.Dispose();
    }

    /// <summary>The test network's document for <paramref name="epoch"/>, its provider reached at the fake provider's socket and link key.</summary>
    private NetworkDocument DocumentFor(long epoch)
    {
        NodeDescriptor real = _network.Document.Providers[0];
        NodeDescriptor fake = _provider.Descriptor();
        var provider = new NodeDescriptor(real.Name, real.IdentityKey, fake.LinkKey, fake.Addresses, NodeRole.Provider, NodeDescriptor.NoLayer, real.MixKeys);
        NetworkDocument d = _network.Document;
        return new NetworkDocument(d.EpochPeriod, d.Geometry, d.Mixing, new EpochRange(epoch, epoch + 1), [provider], d.Layers.Select(l => l.AsEnumerable()), epoch);
    }

    private MixnetClientOptions Options => new()
    {
        Authorities = _authorities.Public,
        HttpHandler = _authorities,
        TimeProvider = _network.Time,
        DocumentTimeout = TimeSpan.FromTicks(1),
    };

    [Fact]
    public async Task Connects_with_the_authorities_document_sends_and_receives()
    {
        _authorities.Publish(DocumentFor(1000));
        await using MixnetClient client = await MixnetClient.ConnectAsync(Options);

        Assert.Equal("provider-0", client.Address.ProviderName);
        Assert.Equal(1000, client.Network.Epoch);
        Assert.Equal(1000, client.CurrentEpoch);
        Assert.Equal(_network.Geometry.ForwardPayloadLength, client.MaxMessageLength);
        Assert.True(client.IsConnected);
        Assert.Equal(MixnetAddress.Parse(client.Address.ToString()), client.Address);

        await client.SendAsync(client.Address, "hello"u8.ToArray());
        byte[] packet = await _provider.NextPacketAsync();
        Assert.Equal(_network.Geometry.PacketLength, packet.Length);

        byte[] message = RandomNumberGenerator.GetBytes(_network.Geometry.ForwardPayloadLength);
        await _provider.PushAsync(message);
        ReceivedMessage received = await client.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ReceivedMessageKind.Message, received.Kind);
        Assert.Null(received.ReplyTo);
        Assert.Equal(message, received.Payload.ToArray());
    }

    [Fact]
    public async Task A_document_below_the_threshold_is_refused_with_the_reason()
    {
        _authorities.Publish(DocumentFor(1000), signers: 1);
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => MixnetClient.ConnectAsync(Options));
        Assert.Contains("below_threshold", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_provider_name_is_refused()
    {
        _authorities.Publish(DocumentFor(1000));
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => MixnetClient.ConnectAsync(new MixnetClientOptions
        {
            Authorities = _authorities.Public,
            HttpHandler = _authorities,
            TimeProvider = _network.Time,
            ProviderName = "nope",
        }));
        Assert.Contains("no provider named 'nope'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contradictory_options_are_argument_errors()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => MixnetClient.ConnectAsync(new MixnetClientOptions()));
        await Assert.ThrowsAsync<ArgumentException>(() => MixnetClient.ConnectAsync(new MixnetClientOptions { TopologyPath = "t.json" }));
        await Assert.ThrowsAsync<ArgumentException>(() => MixnetClient.ConnectAsync(new MixnetClientOptions { Authorities = _authorities.Public, TopologyPath = "t.json", TopologyAuthorityKey = "AA==" }));
        await Assert.ThrowsAsync<ArgumentException>(() => MixnetClient.ConnectAsync(new MixnetClientOptions { Authorities = _authorities.Public, LoopRatePerSecond = 1 }));
    }

    [Fact]
    public async Task Follows_the_next_epochs_consensus_and_says_so()
    {
        _authorities.Publish(DocumentFor(1000));
        await using MixnetClient client = await MixnetClient.ConnectAsync(Options);
        var changed = new TaskCompletionSource<NetworkChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.NetworkChanged += (_, e) => changed.TrySetResult(e);

        _authorities.Publish(DocumentFor(1001));
        TimeSpan period = _network.Document.EpochPeriod;
        _network.Time.SetUtcNow(EpochClock.Origin + (period * 1000) + (period * 0.8));
        await Consensus.Eventually.TrueAsync(() => _authorities.Requests.Contains("/v1/consensus/1001"), "asked for 1001");
        Assert.Equal(1000, client.Network.Epoch);

        _network.Time.SetUtcNow(EpochClock.Origin + (period * 1001) + TimeSpan.FromSeconds(1));
        NetworkChangedEventArgs e = await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1000, e.PreviousEpoch);
        Assert.Equal(1001, e.Network.Epoch);
        Assert.Equal(1001, client.Network.Epoch);
        Assert.Equal(1, client.EpochChanges);
        Assert.Equal(1001, client.CurrentEpoch);

        // (The fake clock jumped 19 minutes, so the link itself has ended of its idle timeout by now: nothing is sent here.)
    }
}
