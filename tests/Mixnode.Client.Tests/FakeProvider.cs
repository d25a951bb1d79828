using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Noise;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Client.Tests;

/// <summary>
/// The provider side of the client protocol, just enough to test a client link against: one connection, the Noise
/// responder with the client prologue, SendPacket recorded, RetrieveMessage answered from a queue, or else Empty
/// or (long polling, like a real provider) parked until <see cref="PushAsync"/> brings a message.
/// </summary>
internal sealed class FakeProvider : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X25519PrivateKey _linkKey = X25519PrivateKey.Generate();
    private readonly WireFraming _framing;
    private readonly Queue<(byte[] Payload, byte[]? SurbId)> _mailbox = new();
    private readonly Queue<uint> _parked = new();
    private readonly bool _longPoll;
    private readonly Channel<byte[]> _packets = Channel.CreateUnbounded<byte[]>();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;
    private NetworkStream? _stream;
    private NoiseTransport? _transport;
    private int _retrieves;
    private int _maxParked;
    private int _empties;
    private readonly System.Collections.Concurrent.ConcurrentQueue<uint> _sequences = new();

    public FakeProvider(SphinxGeometry geometry, bool longPoll = false)
    {
        _framing = ClientLinkProtocol.Framing(geometry);
        _longPoll = longPoll;
        _listener.Start();
        _serve = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Retrieves => Volatile.Read(ref _retrieves);

    /// <summary>Retrievals waiting for a message now (long polling).</summary>
    public int Parked
    {
        get
        {
            lock (_mailbox)
            {
                return _parked.Count;
            }
        }
    }

    /// <summary>The most retrievals that were ever waiting at once.</summary>
    public int MaxParked => Volatile.Read(ref _maxParked);

    public int Empties => Volatile.Read(ref _empties);

    /// <summary>The sequence of every RetrieveMessage, in arrival order (the client's acknowledgements).</summary>
    public uint[] Sequences => [.. _sequences];

    /// <summary>A provider descriptor whose client address is this listener and whose link key is <paramref name="linkKey"/> (ours by default).</summary>
    public NodeDescriptor Descriptor(Bytes32? linkKey = null) => new(
        "fake-provider",
        Bytes32.From(new byte[32]),
        linkKey ?? Bytes32.From(_linkKey.PublicKey),
        ["127.0.0.1:1", $"127.0.0.1:{Port}"],
        NodeRole.Provider,
        NodeDescriptor.NoLayer,
        []);

    public void Enqueue(byte[] payload, byte[]? surbId = null)
    {
        lock (_mailbox)
        {
            _mailbox.Enqueue((payload, surbId));
        }
    }

    /// <summary>Answers a parked retrieval with the message, or queues it when none waits.</summary>
    public async Task PushAsync(byte[] payload)
    {
        uint sequence;
        lock (_mailbox)
        {
            if (!_parked.TryDequeue(out sequence))
            {
                _mailbox.Enqueue((payload, null));
                return;
            }
        }

        byte[] plain = new byte[_framing.CommandSize];
        Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(WireCommand.Message(0, sequence, payload), plain, _framing));
        await WriteAsync(plain);
    }

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
        _writeGate.Dispose();
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
        await _writeGate.WaitAsync(_stop.Token);
        _stream = stream;
        _transport = transport;
        _writeGate.Release();
        byte[] cipher = new byte[_framing.CommandSize + NoiseTransport.TagSize];
        byte[] plain = new byte[_framing.CommandSize];
        while (true)
        {
            await stream.ReadExactlyAsync(cipher, _stop.Token);
            if (Answer(transport, cipher, plain) is { } answer)
            {
                await WriteAsync(answer);
            }
        }
    }

    /// <summary>Encrypts and sends one command; serialized, since the serve loop and <see cref="PushAsync"/> both send.</summary>
    private async Task WriteAsync(byte[] plain)
    {
        await _writeGate.WaitAsync(_stop.Token);
        try
        {
            byte[] cipher = new byte[plain.Length + NoiseTransport.TagSize];
            Assert.Equal(NoiseResult.Ok, _transport!.Encrypt(plain, cipher));
            await _stream!.WriteAsync(cipher, _stop.Token);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Handles one frame; returns the plaintext of the answer to send, if any.</summary>
    private byte[]? Answer(NoiseTransport transport, byte[] cipher, byte[] plain)
    {
        Assert.Equal(NoiseResult.Ok, transport.Decrypt(cipher, plain));
        Assert.Equal(WireDecodeResult.Ok, WireCodec.TryDecode(plain, _framing, out WireCommand command));
        switch (command.Id)
        {
            case WireCommandId.SendPacket:
                _packets.Writer.TryWrite(command.Payload.ToArray());
                return null;
            case WireCommandId.RetrieveMessage:
                _sequences.Enqueue(command.Sequence);
                Interlocked.Increment(ref _retrieves);
                (byte[] Payload, byte[]? SurbId) item;
                byte hint;
                lock (_mailbox)
                {
                    hint = (byte)Math.Min(255, Math.Max(0, _mailbox.Count - 1));
                    if (!_mailbox.TryDequeue(out item) && _longPoll)
                    {
                        _parked.Enqueue(command.Sequence);
                        _maxParked = Math.Max(_maxParked, _parked.Count);
                        return null;
                    }
                }

                if (item.Payload is null)
                {
                    Interlocked.Increment(ref _empties);
                }

                WireCommand reply = item.Payload is null
                    ? WireCommand.MessageEmpty(command.Sequence)
                    : item.SurbId is null
                        ? WireCommand.Message(hint, command.Sequence, item.Payload)
                        : WireCommand.MessageAck(hint, command.Sequence, item.SurbId, item.Payload);
                byte[] answer = new byte[_framing.CommandSize];
                Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(reply, answer, _framing));
                return answer;
            default:
                return null;
        }
    }
}
