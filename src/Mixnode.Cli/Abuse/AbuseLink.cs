using System.Globalization;
using System.Net.Sockets;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// A bare client link to a provider for the abuse tool: the same handshake and framing as
/// <see cref="Mixnode.Client.ClientLink"/>, but every request is the caller's (no polling of its own), and a link
/// made with <c>read: false</c> never reads its socket after the handshake (slow readers): what the provider sends
/// then fills our small input pipe, then the kernel's buffers, then the provider's. Failures are exceptions the
/// loop classifies: the node closing or refusing is an <see cref="AbuseRefusedException"/>.
/// </summary>
internal sealed class AbuseLink : IAsyncDisposable, ILinkCommandHandler
{
    /// <summary>Input buffered by a link that reads; a non-reading link buffers <see cref="SlowPipeThreshold"/>.</summary>
    private const int PipeThreshold = 1 << 20;

    /// <summary>A non-reading link's input pipe: small, so the provider's sends back up soon.</summary>
    private const int SlowPipeThreshold = 1 << 16;

    /// <summary>A non-reading link's socket receive buffer (the kernel's minimum applies).</summary>
    private const int SlowReceiveBuffer = 4096;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly LinkSession _session;
    private readonly WireFraming _framing;
    private readonly Task _receiveLoop;
    private uint _sequence;
    private long _messages;
    private long _empty;

    private AbuseLink(LinkSession session, WireFraming framing, bool read)
    {
        _session = session;
        _framing = framing;
        _receiveLoop = read ? session.RunReceiveLoopAsync(this) : Task.CompletedTask;
    }

    public bool IsOpen => _session.CloseReason is null;

    /// <summary>Messages (and SURB replies) the provider sent us; only counted on a link that reads.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>MessageEmpty answers; only counted on a link that reads.</summary>
    public long Empty => Interlocked.Read(ref _empty);

    /// <summary>
    /// Connects to <paramref name="provider"/>'s client address and runs the handshake with <paramref name="key"/>
    /// (owned by the caller), on <paramref name="socket"/> (unconnected; owned from then on, see <see cref="AbuseSources"/>). A node that closes or refuses: <see cref="AbuseRefusedException"/>; nothing listening, or
    /// no answer within 5 s: <see cref="SocketException"/> or <see cref="TimeoutException"/> (errors).
    /// </summary>
    public static async Task<AbuseLink> ConnectAsync(NodeDescriptor provider, SphinxGeometry geometry, X25519PrivateKey key, bool read, Socket socket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (!read)
        {
            // Before the connect, so the window advertised from the start is small: the provider's sends back up after
            // a few frames instead of after the megabytes a loopback socket buffers by default.
            socket.ReceiveBufferSize = SlowReceiveBuffer;
        }

        await ConnectSocketAsync(socket, AbuseTarget.ClientAddress(provider), cancellationToken).ConfigureAwait(false);
        WireFraming framing = ClientLinkProtocol.Framing(geometry);

        // Our own timers never end the link: only the node may (a slow reader's idle link is the point).
        var settings = new LinkSessionSettings(framing, s_timeout, TimeSpan.FromHours(1), TimeSpan.FromSeconds(10), LinkProtocol.DefaultRekeyInterval)
        {
            Prologue = ClientLinkProtocol.Prologue(framing),
        };
        var session = new LinkSession(new SocketPipeConnection(socket, read ? PipeThreshold : SlowPipeThreshold), settings, TimeProvider.System, initiator: true);
        session.Start();
        byte[] expected = provider.LinkKey.AsReadOnlySpan().ToArray();
        bool done;
        using (cancellationToken.Register(() => session.Close(LinkCloseReason.Closed)))
        {
            done = await session.HandshakeAsync(key, k => k.Span.SequenceEqual(expected)).ConfigureAwait(false);
        }

        if (!done)
        {
            LinkCloseReason? reason = session.CloseReason;
            await session.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw reason switch
            {
                LinkCloseReason.UnknownPeer => new InvalidOperationException($"provider '{provider.Name}' does not hold the link key the topology lists"),
                LinkCloseReason.HandshakeTimeout => new AbuseRefusedException("no handshake answer within 5 s"),
                _ => new AbuseRefusedException($"handshake ended: {reason?.ToTag() ?? "closed"}"),
            };
        }

        return new AbuseLink(session, framing, read);
    }

    /// <summary>Sends one Sphinx packet; <see cref="AbuseRefusedException"/> when the node has closed the link.</summary>
    public async Task SendPacketAsync(ReadOnlyMemory<byte> packet)
    {
        if (!await _session.SendPacketAsync(packet).ConfigureAwait(false))
        {
            throw Closed();
        }
    }

    /// <summary>Sends one RetrieveMessage; <see cref="AbuseRefusedException"/> when the node has closed the link.</summary>
    public async Task RetrieveAsync()
    {
        if (!await _session.SendAsync(frame => WireCodec.TryEncode(WireCommand.RetrieveMessage(_sequence++), frame, _framing) == WireEncodeResult.Ok).ConfigureAwait(false))
        {
            throw Closed();
        }
    }

    /// <summary>
    /// Leaves as a client would: a Disconnect, then up to <paramref name="wait"/> for the provider to close its end
    /// (so that what was sent before reached it), then the socket is closed.
    /// </summary>
    public async Task LeaveAsync(TimeSpan wait)
    {
        if (IsOpen)
        {
            try
            {
                await _session.SendDisconnectAsync().AsTask().WaitAsync(wait).ConfigureAwait(false);
                await _receiveLoop.WaitAsync(wait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _session.Close(LinkCloseReason.Closed);
        await _receiveLoop.ConfigureAwait(false);
        await _session.DisposeAsync().ConfigureAwait(false);
    }

    bool ILinkCommandHandler.Handle(LinkSession session, in WireCommand command)
    {
        if (command.Id != WireCommandId.Message)
        {
            return false;
        }

        if (command.MessageKind is WireMessageKind.Message or WireMessageKind.Ack)
        {
            Interlocked.Increment(ref _messages);
        }
        else
        {
            Interlocked.Increment(ref _empty);
        }

        return true;
    }

    private AbuseRefusedException Closed() => new($"link closed: {_session.CloseReason?.ToTag() ?? "closed"}");

    private static async Task ConnectSocketAsync(Socket socket, string address, CancellationToken cancellationToken)
    {
        (string host, int port) = AbuseTarget.Split(address);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no connection to {address} within {s_timeout.TotalSeconds} s"));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
