using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mixnode.Node.Clients;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.IntegrationTests;

/// <summary>A bare client link to a provider (the client library has its own): send packets, ask for messages.</summary>
internal sealed class TestClient : IAsyncDisposable, ILinkCommandHandler
{
    private readonly LinkSession _session;
    private readonly X25519PrivateKey _key;
    private readonly WireFraming _framing;
    private Task<Mixnode.Links.LinkCloseReason>? _receive;

    private TestClient(LinkSession session, X25519PrivateKey key, WireFraming framing)
    {
        _session = session;
        _key = key;
        _framing = framing;
    }

    /// <summary>The client's recipient id: its static public key.</summary>
    public byte[] RecipientId => _key.PublicKey.ToArray();

    public LinkSession Session => _session;

    public ConcurrentQueue<(WireCommandId Id, WireMessageKind Kind, uint Sequence, byte[] Payload, byte[] SurbId)> Replies { get; } = new();

    public static async Task<TestClient> ConnectAsync(LocalNetwork network, string provider)
    {
        IPEndPoint endPoint = IPEndPoint.Parse(network[provider].Addresses[1]);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        WireFraming framing = ClientLinkProtocol.Framing(network.Geometry);
        var settings = new LinkSessionSettings(framing, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval)
        {
            Prologue = ClientLinkProtocol.Prologue(framing),
        };
        var session = new LinkSession(new SocketPipeConnection(socket, 1 << 20), settings, TimeProvider.System, initiator: true);
        session.Start();
        var key = X25519PrivateKey.Generate();
        byte[] expected = network[provider].LinkKey.AsReadOnlySpan().ToArray();
        Assert.True(await session.HandshakeAsync(key, k => k.Span.SequenceEqual(expected)), "client handshake with the provider");
        var client = new TestClient(session, key, framing);
        client._receive = session.RunReceiveLoopAsync(client);
        return client;
    }

    public ValueTask<bool> SendAsync(byte[] packet) => _session.SendPacketAsync(packet);

    public ValueTask<bool> RetrieveAsync(uint sequence) =>
        _session.SendAsync(frame => WireCodec.TryEncode(WireCommand.RetrieveMessage(sequence), frame, _framing) == WireEncodeResult.Ok);

    public bool Handle(LinkSession session, in WireCommand command)
    {
        Replies.Enqueue((command.Id, command.MessageKind, command.Sequence, command.Payload.ToArray(), command.SurbId.ToArray()));
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        if (_receive is not null)
        {
            await _receive;
        }

        _key.Dispose();
    }
}
