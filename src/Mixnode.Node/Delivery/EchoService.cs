using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Mixnode.Links;
using Mixnode.Node.Forwarding;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// A provider's built-in echo: a message addressed to <see cref="RecipientId"/> starts with a SURB; the rest
/// of the message goes back through that SURB. Clients use it for loop traffic and round-trip measurement.
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

    /// <param name="toSelf">Takes a reply packet whose first hop is this node back to its own unwrap stage (buffer, arrival timestamp).</param>
    public EchoService(SphinxGeometry geometry, Bytes32 ownId, Action<byte[], long> toSelf, IPacketForwarder forwarder, TimeProvider time)
    {
        _geometry = geometry;
        _ownId = ownId;
        _toSelf = toSelf;
        _forwarder = forwarder;
        _time = time;
    }

    /// <summary>Sends the reply; false when the message holds no usable SURB.</summary>
    public bool TryReply(ReadOnlySpan<byte> message)
    {
        int surbLength = _geometry.SurbLength;
        if (message.Length < surbLength)
        {
            return false;
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
