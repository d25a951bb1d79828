using System.Diagnostics;
using Mixnode.Cli.Loadgen;
using Mixnode.Client;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenReceiverTests
{
    [Fact]
    public void Arrivals_of_the_run_are_counted_the_rest_is_foreign_and_nothing_after_stop()
    {
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [2]);
        var receiver = new LoadgenReceiver(statistics);
        statistics.RecordSent(0, 0, Stopwatch.GetTimestamp(), 5);
        statistics.RecordSent(0, 1, Stopwatch.GetTimestamp(), 5);

        byte[] first = Payload(new LoadgenMessage(statistics.RunId, 0, 0, 0, 5));
        receiver.OnDelivery(ClientDeliveryKind.Message, first, default, 0);
        receiver.OnDelivery(ClientDeliveryKind.Message, first, default, 0);
        receiver.OnDelivery(ClientDeliveryKind.Message, Payload(new LoadgenMessage(Guid.NewGuid(), 0, 1, 0, 5)), default, 0);
        receiver.OnDelivery(ClientDeliveryKind.SurbReply, new byte[100], default, 0);
        Assert.Equal((1, 1, 2), (statistics.Delivered, statistics.Duplicates, statistics.Foreign));

        // Frozen for the report: links that still deliver change nothing.
        receiver.Stop();
        receiver.OnDelivery(ClientDeliveryKind.Message, Payload(new LoadgenMessage(statistics.RunId, 0, 1, 0, 5)), default, 0);
        receiver.OnDelivery(ClientDeliveryKind.SurbReply, new byte[100], default, 0);
        Assert.Equal((1, 1, 2), (statistics.Delivered, statistics.Duplicates, statistics.Foreign));
        Assert.Single(statistics.Samples().Latencies);
    }

    /// <summary>A message as it comes out of a mailbox: the loadgen header, then padding.</summary>
    private static byte[] Payload(LoadgenMessage message)
    {
        byte[] payload = new byte[2000];
        message.WriteTo(payload);
        return payload;
    }
}
