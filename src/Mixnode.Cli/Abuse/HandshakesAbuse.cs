using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>handshakes</c>: at R/s a TCP connection to a node's link port (or, with <c>--port client</c>, the target
/// provider's client port) that sends a first Noise XX message of the right length (2-byte length, 32 random bytes:
/// any 32 bytes pass as an ephemeral key) and reads the answer, which costs the responder an X25519 key pair and two
/// X25519 operations. Then it hangs up, or with <c>--hold</c> stays until the run ends or the node closes it (a slot
/// held through the node's handshake timeout; at most --concurrency held at once). Succeeded: the node answered; refused: it closed or reset first, or did
/// not answer within 5 s; error: the connect failed.
/// </summary>
internal sealed class HandshakesAbuse : IAbuse
{
    /// <summary>The first XX message (e) with an empty payload.</summary>
    public const int FirstMessageLength = 32;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly string _address;
    private readonly bool _hold;
    private readonly AbuseSources _sources;
    private readonly int _maxHeld;
    private readonly ConcurrentDictionary<Socket, byte> _held = new();
    private long _closedWhileHeld;

    public HandshakesAbuse(AbuseTarget target, AbuseOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        NodeDescriptor node = options.Node is { } name ? AbuseTarget.ChooseNode(target.Topology, name) : target.Provider;
        _address = options.ClientPort ? AbuseTarget.ClientAddress(node) : node.Addresses[0];
        _hold = options.Hold;
        _sources = target.Sources;

        // Held sockets are not attempts in flight; they get the same bound, so the tool cannot run out of descriptors.
        _maxHeld = options.Concurrency;
        output.WriteLine($"handshakes to {node.Name} at {_address} ({(options.ClientPort ? "client" : "link")} port){(_hold ? ", held open" : string.Empty)}");
    }

    /// <summary>The bytes of one first handshake message: its length prefix, then 32 random bytes.</summary>
    public static byte[] FirstMessage()
    {
        byte[] message = new byte[LinkProtocol.HandshakeLengthPrefix + FirstMessageLength];
        BinaryPrimitives.WriteUInt16BigEndian(message, FirstMessageLength);
        RandomNumberGenerator.Fill(message.AsSpan(LinkProtocol.HandshakeLengthPrefix));
        return message;
    }

    public Task PrepareAsync(long expectedAttempts, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<AbuseOutcome> AttemptAsync(long index, CancellationToken cancellationToken)
    {
        (string host, int port) = AbuseTarget.Split(_address);
        Socket socket = _sources.NewSocket(index);
        bool keep = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_timeout);
            try
            {
                await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no connection to {_address} within 5 s");
            }

            await socket.SendAsync(FirstMessage(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            byte[] answer = new byte[LinkProtocol.MaxHandshakeMessage];
            int received;
            try
            {
                received = await socket.ReceiveAsync(answer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new AbuseRefusedException("no handshake answer within 5 s");
            }

            if (received == 0)
            {
                return AbuseOutcome.Refused;
            }

            if (_hold && _held.Count < _maxHeld)
            {
                keep = _held.TryAdd(socket, 0);
                _ = WatchAsync(socket);
            }

            return AbuseOutcome.Succeeded;
        }
        finally
        {
            if (!keep)
            {
                socket.Dispose();
            }
        }
    }

    public Task<IReadOnlyList<KeyValuePair<string, string>>> FinishAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(_hold
            ? [new("held_at_end", _held.Count.ToString(CultureInfo.InvariantCulture)), new("closed_by_node_while_held", Interlocked.Read(ref _closedWhileHeld).ToString(CultureInfo.InvariantCulture))]
            : []);

    public ValueTask DisposeAsync()
    {
        foreach (Socket socket in _held.Keys)
        {
            if (_held.TryRemove(socket, out _))
            {
                socket.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Reads a held connection until the node closes it (its handshake timeout), then lets it go.</summary>
    private async Task WatchAsync(Socket socket)
    {
        byte[] sink = new byte[LinkProtocol.MaxHandshakeMessage];
        try
        {
            while (await socket.ReceiveAsync(sink, SocketFlags.None).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        if (_held.TryRemove(socket, out _))
        {
            Interlocked.Increment(ref _closedWhileHeld);
            socket.Dispose();
        }
    }
}
