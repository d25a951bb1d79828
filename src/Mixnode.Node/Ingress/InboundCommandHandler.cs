using Mixnode.Links;
using Mixnode.Node.Unwrap;
using Mixnode.Links.Wire;

namespace Mixnode.Node.Ingress;

/// <summary>
/// What an inbound mix link may carry: SendPacket (a Sphinx packet of this network's length, copied into a
/// pooled buffer and handed to the crypto workers). Anything else closes the link.
/// </summary>
internal sealed class InboundCommandHandler : ILinkCommandHandler
{
    private readonly IngressQueue _ingress;
    private readonly TimeProvider _time;
    private readonly int _packetLength;

    public InboundCommandHandler(IngressQueue ingress, TimeProvider time, int packetLength)
    {
        _ingress = ingress;
        _time = time;
        _packetLength = packetLength;
    }

    public bool Handle(LinkSession session, in WireCommand command)
    {
        if (command.Id != WireCommandId.SendPacket || command.Payload.Length != _packetLength)
        {
            return false;
        }

        byte[] buffer = PacketBuffers.Rent(_packetLength);
        command.Payload.CopyTo(buffer);
        _ingress.EnqueueInBurst(new IngressPacket(buffer, _packetLength, _time.GetTimestamp()));
        return true;
    }

    public void ReadHandled(LinkSession session) => _ingress.EndOfBurst();
}
