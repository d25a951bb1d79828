using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Mixnode.Links;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Forwarding;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// A provider's built-in echo: a message addressed to <see cref="RecipientId"/> starts with a SURB; the rest
/// of the message goes back through that SURB. Clients use it for loop traffic and round-trip measurement.
/// <para>
/// Each reply is a packet the provider makes and sends into the network on nobody's account: the message came through
/// the mix network, so the provider cannot tell who sent it (the sender was charged once, at its own provider's
/// client rate, for the request). So replies have a budget of their own for everyone together
/// (<c>Clients:EchoRatePerSecond</c>); beyond it a message gets no reply and is counted
/// (dropped, reason echo_limit), and replies the provider routes back to itself go in the client lane of its
/// ingress queue, never the mix links' lane.
/// </para>
/// </summary>
internal sealed class EchoService
{
    /// <summary>ASCII "echo" followed by zeros.</summary>
    public static readonly Bytes32 RecipientId = ServiceRecipients.Echo;

    private readonly SphinxGeometry _geometry;
    private readonly Bytes32 _ownId;
    private readonly Action<byte[], long> _toSelf;
    private readonly IPacketForwarder _forwarder;
    private readonly TimeProvider _time;
    private readonly Func<bool>? _tryCharge;
    private readonly NodeMetrics? _metrics;

    /// <param name="toSelf">Takes a reply packet whose first hop is this node back to its own unwrap stage (buffer, arrival timestamp).</param>
    /// <param name="tryCharge">Takes one reply from the echo budget (called by every crypto worker: thread-safe), false when it is spent; null: no limit.</param>
    /// <param name="metrics">Counts the messages refused for lack of budget.</param>
    public EchoService(SphinxGeometry geometry, Bytes32 ownId, Action<byte[], long> toSelf, IPacketForwarder forwarder, TimeProvider time, Func<bool>? tryCharge = null, NodeMetrics? metrics = null)
    {
        _tryCharge = tryCharge;
        _metrics = metrics;
        _geometry = geometry;
        _ownId = ownId;
        _toSelf = toSelf;
        _forwarder = forwarder;
        _time = time;
    }

    /// <summary>
    /// Sends the reply, or refuses it (counted, reason echo_limit) when the echo budget is spent; false when the message
    /// holds no usable SURB.
    /// </summary>
    public bool TryReply(ReadOnlySpan<byte> message)
    {
        int surbLength = _geometry.SurbLength;
        if (message.Length < surbLength)
        {
            return false;
        }

        if (_tryCharge is not null && !_tryCharge())
        {
            _metrics?.PacketDropped(DropReason.EchoLimit);
            return true;
        }

        byte[] reply = ArrayPool<byte>.Shared.Rent(_geometry.ForwardPayloadLength);
        byte[] packet = PacketBuffers.Rent(_geometry.PacketLength);
        try
        {
            Span<byte> replyMessage = reply.AsSpan(0, _geometry.ForwardPayloadLength);
            replyMessage.Clear();
            ReadOnlySpan<byte> body = message[surbLength..];
            body[..Math.Min(body.Length, replyMessage.Length)].CopyTo(replyMessage);
            SurbBuilder.CreateReply(_geometry, message[..surbLength], replyMessage, packet.AsSpan(0, _geometry.PacketLength), out Bytes32 firstHop);
            long now = _time.GetTimestamp();
            if (firstHop == _ownId)
            {
                _toSelf(packet, now);
            }
            else
            {
                _forwarder.Forward(new OutgoingPacket(packet, firstHop, now, now));
            }

            return true;
        }
        catch (ArgumentException)
        {
            PacketBuffers.Return(packet);
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(reply.AsSpan(0, _geometry.ForwardPayloadLength));
            ArrayPool<byte>.Shared.Return(reply);
        }
    }
}
