using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

public sealed class ClientLinkTests
{
    private static readonly SphinxGeometry Geometry = SphinxGeometry.Default;
    private static readonly ClientLinkOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(10), ConnectTimeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Packets_reach_the_provider_and_the_mailbox_reaches_the_client()
    {
        await using var provider = new FakeProvider(Geometry);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        byte[] first = RandomNumberGenerator.GetBytes(Geometry.ForwardPayloadLength);
        byte[] reply = RandomNumberGenerator.GetBytes(Geometry.PayloadLength);
        byte[] surbId = RandomNumberGenerator.GetBytes(16);
        provider.Enqueue(first);
        provider.Enqueue(reply, surbId);

        await using ClientLink link = await ClientLink.ConnectAsync(provider.Descriptor(), Geometry, key, Fast);
        byte[] packet = RandomNumberGenerator.GetBytes(Geometry.PacketLength);
        Assert.True(await link.SendPacketAsync(packet));
        Assert.Equal(packet, await provider.NextPacketAsync());

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        ClientDelivery message = await link.Received.ReadAsync(timeout.Token);
        Assert.Equal(ClientDeliveryKind.Message, message.Kind);
        Assert.Equal(first, message.Payload);
        ClientDelivery ack = await link.Received.ReadAsync(timeout.Token);
        Assert.Equal(ClientDeliveryKind.SurbReply, ack.Kind);
        Assert.Equal(reply, ack.Payload);
        Assert.Equal(Bytes16.From(surbId), ack.SurbId);

        // An empty mailbox is asked again after the poll interval, not in a tight loop.
        await Task.Delay(300);
        Assert.InRange(provider.Retrieves, 3, 200);
        Assert.True(link.IsOpen);
    }

    [Fact]
    public async Task Code_that_runs_long_after_connecting_does_not_stop_the_link_from_receiving()
    {
        await using var provider = new FakeProvider(Geometry);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        byte[] first = RandomNumberGenerator.GetBytes(Geometry.ForwardPayloadLength);
        provider.Enqueue(first);
        bool arrivedWhileBusy = false;

        Task<ClientLink> connect = ClientLink.ConnectAsync(provider.Descriptor(), Geometry, key, Fast);

        // The caller's code right after connecting, run where the connect completed (as code after an await may be),
        // stays busy: the mailbox's message must still be read meanwhile.
        Task busy = connect.ContinueWith(
            t => arrivedWhileBusy = SpinWait.SpinUntil(() => t.Result.Received.TryPeek(out _), TimeSpan.FromSeconds(5)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
        await busy.WaitAsync(TimeSpan.FromSeconds(15));
        await using ClientLink link = await connect;
        Assert.True(arrivedWhileBusy, "the message was not read while the code after connecting ran: it ran inside the receive loop");
        Assert.Equal(first, (await link.Received.ReadAsync()).Payload);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_delivery_handler_takes_the_mailbox_instead_of_the_channel(bool inlineCompletions)
    {
        await using var provider = new FakeProvider(Geometry);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        byte[] first = RandomNumberGenerator.GetBytes(Geometry.ForwardPayloadLength);
        byte[] reply = RandomNumberGenerator.GetBytes(Geometry.PayloadLength);
        byte[] surbId = RandomNumberGenerator.GetBytes(16);
        provider.Enqueue(first);
        provider.Enqueue(reply, surbId);

        var arrived = Channel.CreateUnbounded<(ClientDeliveryKind Kind, byte[] Payload, Bytes16 SurbId)>();
        ClientLink link = await ClientLink.ConnectAsync(
            provider.Descriptor(),
            Geometry,
            key,
            Fast with { InlineSocketCompletions = inlineCompletions },
            onDelivery: (kind, payload, id, _) => arrived.Writer.TryWrite((kind, payload.ToArray(), id)));
        await using (link)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var message = await arrived.Reader.ReadAsync(timeout.Token);
            Assert.Equal((ClientDeliveryKind.Message, default(Bytes16)), (message.Kind, message.SurbId));
            Assert.Equal(first, message.Payload);
            var ack = await arrived.Reader.ReadAsync(timeout.Token);
            Assert.Equal((ClientDeliveryKind.SurbReply, Bytes16.From(surbId)), (ack.Kind, ack.SurbId));
            Assert.Equal(reply, ack.Payload);
            Assert.False(link.Received.TryRead(out _));
        }

        // The channel still completes when the link ends, for whoever waits on it.
        await link.Received.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_answer_is_replaced_at_once_and_requests_in_flight_never_exceed_the_maximum(bool inlineCompletions)
    {
        const int max = 4;
        const int messages = 60;
        await using var provider = new FakeProvider(Geometry, longPoll: true);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        int delivered = 0;
        await using ClientLink link = await ClientLink.ConnectAsync(
            provider.Descriptor(),
            Geometry,
            key,
            Fast with { MaxOutstandingRetrieves = max, InlineSocketCompletions = inlineCompletions },
            onDelivery: (_, _, _, _) => Interlocked.Increment(ref delivered));

        // The first fill: as many requests as allowed, then no more while they wait.
        await WaitUntilAsync(() => provider.Parked == max);
        await Task.Delay(100);
        Assert.Equal(max, provider.Retrieves);

        for (int i = 0; i < messages; i++)
        {
            // Each message answers a parked request; the client's next request takes its place.
            await WaitUntilAsync(() => provider.Parked > 0);
            await provider.PushAsync(RandomNumberGenerator.GetBytes(Geometry.ForwardPayloadLength));
        }

        await WaitUntilAsync(() => Volatile.Read(ref delivered) == messages && provider.Parked == max);
        Assert.Equal(max + messages, provider.Retrieves);
        Assert.Equal(max, provider.MaxParked);
        Assert.Equal(0, provider.Empties);
        Assert.True(link.IsOpen);
    }

    [Fact]
    public async Task Each_request_acknowledges_the_answers_read_before_it_went_out_and_the_goodbye_the_last_ones()
    {
        // Before: the sequence counted requests (0, 1, 2, …), which told the provider nothing about what was read.
        const int max = 4;
        await using var provider = new FakeProvider(Geometry, longPoll: true);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        ClientLink link = await ClientLink.ConnectAsync(provider.Descriptor(), Geometry, key, Fast with { MaxOutstandingRetrieves = max });
        await WaitUntilAsync(() => provider.Parked == max);
        for (int i = 1; i <= 3; i++)
        {
            await provider.PushAsync(RandomNumberGenerator.GetBytes(Geometry.ForwardPayloadLength));
            await WaitUntilAsync(() => provider.Retrieves == max + i);
        }

        // Four requests before anything was read, then one after each answer, carrying the count read so far.
        Assert.Equal([0u, 0u, 0u, 0u, 1u, 2u, 3u], provider.Sequences);

        await link.DisposeAsync();
        await WaitUntilAsync(() => provider.Retrieves == max + 4);
        Assert.Equal(3u, provider.Sequences[^1]);
    }

    [Fact]
    public void The_runtime_still_has_the_per_socket_inline_completions_switch()
    {
        // Without it the loadgen still works, but each arrival costs a thread-pool wake-up again: see InlineCompletions.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        Assert.True(InlineCompletions.TryEnable(socket));
    }

    [Fact]
    public async Task Written_packets_go_out_in_order_on_flush()
    {
        await using var provider = new FakeProvider(Geometry);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        await using ClientLink link = await ClientLink.ConnectAsync(provider.Descriptor(), Geometry, key, Fast with { Poll = false });
        byte[][] packets = [.. Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(Geometry.PacketLength))];
        foreach (byte[] packet in packets)
        {
            Assert.True(await link.WritePacketAsync(packet));
        }

        Assert.True(await link.FlushAsync());
        foreach (byte[] packet in packets)
        {
            Assert.Equal(packet, await provider.NextPacketAsync());
        }

        await Assert.ThrowsAsync<ArgumentException>(async () => await link.WritePacketAsync(new byte[10]));
    }

    [Fact]
    public async Task A_provider_with_another_link_key_is_refused()
    {
        await using var provider = new FakeProvider(Geometry);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        NodeDescriptor wrong = provider.Descriptor(Bytes32.From(RandomNumberGenerator.GetBytes(32)));
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => ClientLink.ConnectAsync(wrong, Geometry, key, Fast));
        Assert.Contains("provider key mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_provider_is_a_clear_error()
    {
        int port;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        }

        var descriptor = new NodeDescriptor("gone", default, default, ["127.0.0.1:1", $"127.0.0.1:{port}"], NodeRole.Provider, NodeDescriptor.NoLayer, []);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => ClientLink.ConnectAsync(descriptor, Geometry, key, Fast));
        Assert.Contains("unreachable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_without_a_client_address_is_a_clear_error()
    {
        var descriptor = new NodeDescriptor("old", default, default, ["127.0.0.1:1"], NodeRole.Provider, NodeDescriptor.NoLayer, []);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => ClientLink.ConnectAsync(descriptor, Geometry, key, Fast));
        Assert.Contains("no client address", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listener_that_never_answers_the_handshake_times_out()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var descriptor = new NodeDescriptor("mute", default, default, ["127.0.0.1:1", $"127.0.0.1:{port}"], NodeRole.Provider, NodeDescriptor.NoLayer, []);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        ClientException e = await Assert.ThrowsAsync<ClientException>(() =>
            ClientLink.ConnectAsync(descriptor, Geometry, key, Fast with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Contains("handshake", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_client_framing_and_prologue_are_what_the_provider_expects()
    {
        var framing = ClientLinkProtocol.Framing(Geometry);
        Assert.Equal(Geometry.PacketLength, framing.PacketLength);
        Assert.Equal(Geometry.ForwardPayloadLength, framing.MessagePayloadLength);
        Assert.Equal(Geometry.PayloadLength, framing.AckPayloadLength);
        byte[] prologue = ClientLinkProtocol.Prologue(framing);
        Assert.Equal("mixnode-client/1"u8.ToArray(), prologue[..16]);
        Assert.Equal(framing.CommandSize, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(prologue.AsSpan(16)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(5);
        }
    }
}
