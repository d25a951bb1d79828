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
        ClientDeliveryHandler mailbox = receiver.For(0);
        long sent = Stopwatch.GetTimestamp();
        statistics.RecordSent(0, 0, sent, sent, 5);
        statistics.RecordSent(0, 1, sent, sent, 5);

        byte[] first = Payload(new LoadgenMessage(statistics.RunId, 0, 0, 0, 5, 0));
        mailbox(ClientDeliveryKind.Message, first, default, 0);
        mailbox(ClientDeliveryKind.Message, first, default, 0);
        mailbox(ClientDeliveryKind.Message, Payload(new LoadgenMessage(Guid.NewGuid(), 0, 1, 0, 5, 0)), default, 0);
        mailbox(ClientDeliveryKind.SurbReply, new byte[100], default, 0);
        Assert.Equal((1, 1, 2), (statistics.Delivered, statistics.Duplicates, statistics.Foreign));

        // Frozen for the report: links that still deliver change nothing.
        receiver.Stop();
        mailbox(ClientDeliveryKind.Message, Payload(new LoadgenMessage(statistics.RunId, 0, 1, 0, 5, 0)), default, 0);
        mailbox(ClientDeliveryKind.SurbReply, new byte[100], default, 0);
        Assert.Equal((1, 1, 2), (statistics.Delivered, statistics.Duplicates, statistics.Foreign));
        Assert.Equal(1, statistics.Latencies.Count);
    }

    [Fact]
    public void A_message_is_matched_to_its_sender_whichever_client_receives_it_and_checked_against_its_recipient()
    {
        // Three clients: 0 writes to 2, 2 writes to 1; each arrival comes in through the receiving client's handler.
        var statistics = new LoadgenStatistics(Guid.NewGuid(), [1, 0, 1]);
        var receiver = new LoadgenReceiver(statistics);
        long sent = Stopwatch.GetTimestamp();
        statistics.RecordSent(0, 0, sent, sent, 7);
        statistics.RecordSent(2, 0, sent, sent, 9);

        receiver.For(2)(ClientDeliveryKind.Message, Payload(new LoadgenMessage(statistics.RunId, 0, 0, 0, 7, 2)), default, 0);
        receiver.For(0)(ClientDeliveryKind.Message, Payload(new LoadgenMessage(statistics.RunId, 2, 0, 0, 9, 1)), default, 0);
        Assert.Equal((1L, 1L), (statistics.Delivered, statistics.Misdelivered));
        receiver.For(1)(ClientDeliveryKind.Message, Payload(new LoadgenMessage(statistics.RunId, 2, 0, 0, 9, 1)), default, 0);
        Assert.Equal((2L, 1L, 0L), (statistics.Delivered, statistics.Misdelivered, statistics.Duplicates));
        Assert.Equal(2, statistics.ArrivalTimestamps().Length);
    }

    /// <summary>A message as it comes out of a mailbox: the loadgen header, then padding.</summary>
    private static byte[] Payload(LoadgenMessage message)
    {
        byte[] payload = new byte[2000];
        message.WriteTo(payload);
        return payload;
    }
}
