using Mixnode.Node.Delivery;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Delivery;

public sealed class CountingDeliverySinkTests
{
    [Fact]
    public void Every_message_is_counted_and_observed_while_its_bytes_are_valid()
    {
        var sink = new CountingDeliverySink();
        var seen = new List<byte[]>();
        sink.Delivered = (in DeliveredMessage m) => seen.Add(m.Payload.ToArray());
        byte[] buffer = [1, 2, 3];

        Assert.True(sink.Deliver(new DeliveredMessage(default, isSurbReply: false, default, buffer)));
        buffer[0] = 9;
        Assert.True(sink.Deliver(new DeliveredMessage(default, isSurbReply: true, default(Bytes16), buffer)));

        Assert.Equal(2, sink.Count);
        Assert.Equal([[1, 2, 3], [9, 2, 3]], seen);
    }
}
