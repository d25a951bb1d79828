using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Ingress;
using Mixnode.Links;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Unwrap;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Ingress;

/// <summary>An inbound mix link carries Sphinx packets of the network's length and nothing else.</summary>
public sealed class InboundCommandHandlerTests : IDisposable
{
    private static readonly int s_packetLength = SphinxGeometry.Default.PacketLength;
    private readonly FakeTimeProvider _time = new();
    private readonly TestMeterFactory _meters;
    private readonly IngressQueue _ingress;
    private readonly InboundCommandHandler _handler;

    public InboundCommandHandlerTests()
    {
        NodeMetrics metrics = TestMeterFactory.NewMetrics(out _meters);
        _ingress = new IngressQueue(16, metrics);
        _handler = new InboundCommandHandler(_ingress, _time, s_packetLength);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void A_packet_is_copied_into_a_pooled_buffer_and_queued_with_its_arrival_time()
    {
        byte[] packet = RandomNumberGenerator.GetBytes(s_packetLength);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(Handle(WireCommand.SendPacket(packet)));

        Assert.True(_ingress.Reader.TryRead(out IngressPacket queued));
        Assert.NotSame(packet, queued.Buffer);
        Assert.Equal(s_packetLength, queued.Length);
        Assert.Equal(packet, queued.Buffer.AsSpan(0, queued.Length).ToArray());
        Assert.Equal(_time.GetTimestamp(), queued.ReceivedTimestamp);
        PacketBuffers.Return(queued.Buffer);
    }

    [Fact]
    public void Anything_else_is_refused_and_nothing_is_queued()
    {
        Assert.False(Handle(WireCommand.SendPacket(new byte[s_packetLength - 1])));
        Assert.False(Handle(WireCommand.SendPacket(new byte[s_packetLength + 1])));
        Assert.False(Handle(WireCommand.RetrieveMessage(1)));
        Assert.False(Handle(WireCommand.GetConsensus(1000)));
        Assert.False(Handle(WireCommand.Message(0, 1, new byte[16])));
        Assert.False(_ingress.Reader.TryRead(out _));
    }

    // The handler never looks at the session; the link that calls it passes itself.
    private bool Handle(in WireCommand command) => _handler.Handle(null!, command);
}
