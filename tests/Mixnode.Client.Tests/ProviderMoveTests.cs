using System.Security.Cryptography;
using Mixnode.Client.Tests.Consensus;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Client.Tests;

/// <summary>
/// A client whose provider leaves the consensus: with the default options it moves to the provider still listed, with
/// a fresh key, says so (<see cref="MixnetClient.ProviderChanged"/>, a new <see cref="MixnetClient.Address"/>) and
/// sends and receives through it; with <see cref="MixnetClientOptions.MoveWhenProviderLeaves"/> off it stays. Stub
/// authorities, two fake providers (real sockets and Noise links), a fake clock one minute into epoch 1000.
/// </summary>
public sealed class ProviderMoveTests : IAsyncDisposable
{
    private readonly TestNetwork _network = new(layers: 1, perLayer: 1, providers: 2, keyEpochs: 3);
    private readonly StubAuthorities _authorities = new();
    private readonly FakeProvider[] _providers;

    public ProviderMoveTests() => _providers = [new FakeProvider(_network.Geometry, longPoll: true), new FakeProvider(_network.Geometry, longPoll: true)];

    public async ValueTask DisposeAsync()
    {
        foreach (FakeProvider provider in _providers)
        {
            await provider.DisposeAsync();
        }

        _authorities.Dispose();
        _network.Dispose();
    }

    [Fact]
    public async Task A_client_whose_provider_leaves_moves_to_another_and_announces_its_new_address()
    {
        _authorities.Publish(DocumentFor(1000, 0, 1));
        await using MixnetClient client = await MixnetClient.ConnectAsync(Options("provider-0", move: true));
        MixnetAddress before = client.Address;
        Assert.Equal("provider-0", before.ProviderName);
        var moved = new TaskCompletionSource<ProviderChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ProviderChanged += (_, e) => moved.TrySetResult(e);

        await SwitchToAsync(client, DocumentFor(1001, 1));
        ProviderChangedEventArgs e = await moved.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(before, e.PreviousAddress);
        Assert.Equal("provider-1", e.Address.ProviderName);
        Assert.Equal(e.Address, client.Address);
        Assert.NotEqual(before.RecipientId.ToArray(), e.Address.RecipientId.ToArray());
        Assert.Equal(1001, e.Network.Epoch);
        Assert.True(client.IsConnected);

        // Through the new provider, both ways; Messages stayed open across the move.
        await client.SendAsync(client.Address, "hello"u8.ToArray());
        Assert.Equal(_network.Geometry.PacketLength, (await _providers[1].NextPacketAsync()).Length);
        byte[] message = RandomNumberGenerator.GetBytes(_network.Geometry.ForwardPayloadLength);
        await _providers[1].PushAsync(message);
        ReceivedMessage received = await client.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(message, received.Payload.ToArray());
    }

    [Fact]
    public async Task With_moving_off_the_client_stays_on_its_provider()
    {
        _authorities.Publish(DocumentFor(1000, 0, 1));
        await using MixnetClient client = await MixnetClient.ConnectAsync(Options("provider-0", move: false));
        MixnetAddress before = client.Address;
        int moves = 0;
        client.ProviderChanged += (_, _) => Interlocked.Increment(ref moves);

        await SwitchToAsync(client, DocumentFor(1001, 1));
        await Task.Delay(200);

        Assert.Equal(before, client.Address);
        Assert.Equal(0, Volatile.Read(ref moves));
    }

    [Fact]
    public async Task A_provider_still_listed_keeps_its_clients()
    {
        _authorities.Publish(DocumentFor(1000, 0, 1));
        await using MixnetClient client = await MixnetClient.ConnectAsync(Options("provider-0", move: true));
        MixnetAddress before = client.Address;
        int moves = 0;
        client.ProviderChanged += (_, _) => Interlocked.Increment(ref moves);

        await SwitchToAsync(client, DocumentFor(1001, 0));
        await Task.Delay(200);

        Assert.Equal(before, client.Address);
        Assert.Equal(0, Volatile.Read(ref moves));
    }

    private MixnetClientOptions Options(string provider, bool move) => new()
    {
        Authorities = _authorities.Public,
        HttpHandler = _authorities,
        TimeProvider = _network.Time,
        DocumentTimeout = TimeSpan.FromTicks(1),
        ProviderName = provider,
        MoveWhenProviderLeaves = move,
    };

    /// <summary>Publishes <paramref name="next"/> and moves the clock into its epoch; returns once the client uses it.</summary>
    private async Task SwitchToAsync(MixnetClient client, NetworkDocument next)
    {
        var switched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.NetworkChanged += (_, e) => switched.TrySetResult();
        _authorities.Publish(next);
        TimeSpan period = _network.Document.EpochPeriod;
        _network.Time.SetUtcNow(EpochClock.Origin + (period * (next.Epoch - 1)) + (period * 0.8));
        await Eventually.TrueAsync(() => _authorities.Requests.Contains($"/v1/consensus/{next.Epoch}"), $"asked for {next.Epoch}");
        _network.Time.SetUtcNow(EpochClock.Origin + (period * next.Epoch) + TimeSpan.FromSeconds(1));
        await switched.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The test network's document for <paramref name="epoch"/> listing the providers given (provider-i reached at fake provider i).</summary>
    private NetworkDocument DocumentFor(long epoch, params int[] providers)
    {
        NetworkDocument d = _network.Document;
        NodeDescriptor Listed(int i)
        {
            NodeDescriptor real = d.Providers.Single(p => p.Name == $"provider-{i}");
            NodeDescriptor fake = _providers[i].Descriptor();
            return new NodeDescriptor(real.Name, real.IdentityKey, fake.LinkKey, fake.Addresses, NodeRole.Provider, NodeDescriptor.NoLayer, real.MixKeys);
        }

        return new NetworkDocument(d.EpochPeriod, d.Geometry, d.Mixing, new EpochRange(epoch, epoch + 1), providers.Select(Listed), d.Layers.Select(l => l.AsEnumerable()), epoch);
    }
}
