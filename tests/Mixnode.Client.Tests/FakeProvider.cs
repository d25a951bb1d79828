using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Mixnode.Node.Keys;
using Mixnode.Node.Links;
using Mixnode.Node.Wire;
using Mixnode.Noise;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Client.Tests;

/// <summary>
/// The provider side of the client protocol, just enough to test a client link against: one connection, the Noise
/// responder with the client prologue, SendPacket recorded, RetrieveMessage answered from a queue (or Empty).
/// </summary>
internal sealed class FakeProvider : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X25519PrivateKey _linkKey = X25519PrivateKey.Generate();
    private readonly WireFraming _framing;
    private readonly ConcurrentQueue<(byte[] Payload, byte[]? SurbId)> _mailbox = new();
    private readonly Channel<byte[]> _packets = Channel.CreateUnbounded<byte[]>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;
    private int _retrieves;

    public FakeProvider(SphinxGeometry geometry)
    {
        _framing = ClientLinkProtocol.Framing(geometry);
        _listener.Start();
        _serve = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Retrieves => Volatile.Read(ref _retrieves);

    /// <summary>A provider descriptor whose client address is this listener and whose link key is <paramref name="linkKey"/> (ours by default).</summary>
    public NodeDescriptor Descriptor(Bytes32? linkKey = null) => new(
        "fake-provider",
        Bytes32.From(new byte[32]),
        linkKey ?? Bytes32.From(_linkKey.PublicKey),
        ["127.0.0.1:1", $"127.0.0.1:{Port}"],
        NodeRole.Provider,
        NodeDescriptor.NoLayer,
        []);

    public void Enqueue(byte[] payload, byte[]? surbId = null) => _mailbox.Enqueue((payload, surbId));

    public async Task<byte[]> NextPacketAsync() => await _packets.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serve;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }

        _linkKey.Dispose();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        using Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
        await using var stream = new NetworkStream(socket);
        using var handshake = new HandshakeState(LinkProtocol.Noise, initiator: false, ClientLinkProtocol.Prologue(_framing), _linkKey, default);
        byte[] message = new byte[2 + LinkProtocol.MaxHandshakeMessage];
        while (!handshake.IsHandshakeComplete)
        {
            if (handshake.IsMyTurn)
            {
                Assert.Equal(NoiseResult.Ok, handshake.WriteMessage(default, message.AsSpan(2), out int written));
                BinaryPrimitives.WriteUInt16BigEndian(message, (ushort)written);
                await stream.WriteAsync(message.AsMemory(0, 2 + written), _stop.Token);
            }
            else
            {
                await stream.ReadExactlyAsync(message.AsMemory(0, 2), _stop.Token);
                int length = BinaryPrimitives.ReadUInt16BigEndian(message);
                await stream.ReadExactlyAsync(message.AsMemory(0, length), _stop.Token);
                if (handshake.ReadMessage(message.AsSpan(0, length), [], out _) != NoiseResult.Ok)
                {
                    return;
                }
            }
        }

        using NoiseTransport transport = handshake.Split();
        byte[] cipher = new byte[_framing.CommandSize + NoiseTransport.TagSize];
        byte[] plain = new byte[_framing.CommandSize];
        byte[] outCipher = new byte[cipher.Length];
        byte[] outPlain = new byte[plain.Length];
        while (true)
        {
            await stream.ReadExactlyAsync(cipher, _stop.Token);
            if (!Answer(transport, cipher, plain, outPlain, outCipher))
            {
                continue;
            }

            await stream.WriteAsync(outCipher, _stop.Token);
        }
    }

    /// <summary>Handles one frame; true when <paramref name="outCipher"/> holds an answer to send.</summary>
    private bool Answer(NoiseTransport transport, byte[] cipher, byte[] plain, byte[] outPlain, byte[] outCipher)
    {
        Assert.Equal(NoiseResult.Ok, transport.Decrypt(cipher, plain));
        Assert.Equal(WireDecodeResult.Ok, WireCodec.TryDecode(plain, _framing, out WireCommand command));
        switch (command.Id)
        {
            case WireCommandId.SendPacket:
                _packets.Writer.TryWrite(command.Payload.ToArray());
                return false;
            case WireCommandId.RetrieveMessage:
                Interlocked.Increment(ref _retrieves);
                byte hint = (byte)Math.Min(255, Math.Max(0, _mailbox.Count - 1));
                WireCommand reply = !_mailbox.TryDequeue(out var item)
                    ? WireCommand.MessageEmpty(command.Sequence)
                    : item.SurbId is null
                        ? WireCommand.Message(hint, command.Sequence, item.Payload)
                        : WireCommand.MessageAck(hint, command.Sequence, item.SurbId, item.Payload);
                Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(reply, outPlain, _framing));
                Assert.Equal(NoiseResult.Ok, transport.Encrypt(outPlain, outCipher));
                return true;
            default:
                return false;
        }
    }
}
