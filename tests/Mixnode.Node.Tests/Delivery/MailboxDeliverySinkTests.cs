using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Mixnode.Node.Delivery;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Delivery;

/// <summary>A provider's mailboxes: order per recipient, bounded size (oldest dropped and counted), bounded count.</summary>
public sealed class MailboxDeliverySinkTests : IDisposable
{
    private static readonly Bytes32 s_alice = Recipient(1);
    private static readonly Bytes32 s_bob = Recipient(2);
    private static readonly Bytes32 s_carol = Recipient(3);
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly MetricCollector<long> _dropped;

    public MailboxDeliverySinkTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
    }

    public void Dispose()
    {
        _dropped.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public void Each_recipient_fetches_its_own_messages_in_arrival_order()
    {
        MailboxDeliverySink sink = Sink(capacity: 10, maxMailboxes: 10);
        Assert.True(Deliver(sink, s_alice, "a1"));
        Assert.True(Deliver(sink, s_bob, "b1"));
        Assert.True(Deliver(sink, s_alice, "a2"));
        Assert.True(Deliver(sink, s_bob, "b2"));
        Assert.True(Deliver(sink, s_alice, "a3"));

        Assert.Equal([("a1", 2), ("a2", 1), ("a3", 0)], FetchAll(sink, s_alice));
        Assert.Equal([("b1", 1), ("b2", 0)], FetchAll(sink, s_bob));
        Assert.Equal(2, sink.MailboxCount);
        Assert.Empty(_dropped.GetMeasurementSnapshot());
    }

    [Fact]
    public void A_full_mailbox_drops_its_oldest_message_and_counts_an_overload_drop()
    {
        MailboxDeliverySink sink = Sink(capacity: 3, maxMailboxes: 10);
        foreach (string text in new[] { "m1", "m2", "m3", "m4", "m5" })
        {
            Assert.True(Deliver(sink, s_alice, text));
        }

        Assert.Equal(["m3", "m4", "m5"], FetchAll(sink, s_alice).Select(m => m.Text));
        IReadOnlyList<CollectedMeasurement<long>> drops = _dropped.GetMeasurementSnapshot();
        Assert.Equal(2, drops.Sum(m => m.Value));
        Assert.All(drops, m => Assert.Equal("overload", m.Tags["reason"]));
    }

    [Fact]
    public void Beyond_the_mailbox_limit_new_recipients_are_refused_but_existing_ones_still_receive()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 2);
        Assert.True(Deliver(sink, s_alice, "a1"));
        Assert.True(Deliver(sink, s_bob, "b1"));

        // Refused, not stored: the caller (the packet processor) counts the drop.
        Assert.False(Deliver(sink, s_carol, "c1"));
        Assert.Equal(2, sink.MailboxCount);
        Assert.False(sink.TryFetch(s_carol, out _, out _));

        Assert.True(Deliver(sink, s_alice, "a2"));
        Assert.Equal(["a1", "a2"], FetchAll(sink, s_alice).Select(m => m.Text));
    }

    [Fact]
    public void Fetching_from_an_unknown_or_empty_mailbox_finds_nothing()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 4);
        Assert.False(sink.TryFetch(s_alice, out _, out int remaining));
        Assert.Equal(0, remaining);

        Assert.True(Deliver(sink, s_alice, "a1"));
        Assert.Single(FetchAll(sink, s_alice));
        Assert.False(sink.TryFetch(s_alice, out _, out remaining));
        Assert.Equal(0, remaining);
    }

    [Fact]
    public void A_fetched_message_keeps_its_reply_fields_and_is_cleared_when_returned()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 4);
        byte[] surb = new byte[Bytes16.Size];
        surb[0] = 0x5a;
        byte[] payload = [1, 2, 3, 4, 5, 6, 7];
        Assert.True(sink.Deliver(new DeliveredMessage(s_alice, isSurbReply: true, Bytes16.From(surb), payload)));

        // The sink copied the bytes: the caller reuses its buffer at once.
        Array.Clear(payload);
        Assert.True(sink.TryFetch(s_alice, out StoredMessage message, out _));
        Assert.True(message.IsSurbReply);
        Assert.Equal(Bytes16.From(surb), message.SurbId);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], message.Payload.ToArray());

        message.Return();
        Assert.All(message.Payload.ToArray(), b => Assert.Equal(0, b));
    }

    private MailboxDeliverySink Sink(int capacity, int maxMailboxes) =>
        new(Options.Create(new NodeOptions { Delivery = { MailboxCapacity = capacity, MaxMailboxes = maxMailboxes } }), _metrics);

    private static bool Deliver(MailboxDeliverySink sink, Bytes32 recipient, string text) =>
        sink.Deliver(new DeliveredMessage(recipient, isSurbReply: false, default, System.Text.Encoding.UTF8.GetBytes(text)));

    private static List<(string Text, int Remaining)> FetchAll(MailboxDeliverySink sink, Bytes32 recipient)
    {
        var all = new List<(string, int)>();
        while (sink.TryFetch(recipient, out StoredMessage message, out int remaining))
        {
            all.Add((System.Text.Encoding.UTF8.GetString(message.Payload), remaining));
            message.Return();
        }

        return all;
    }

    private static Bytes32 Recipient(byte b)
    {
        byte[] id = new byte[Bytes32.Size];
        id[31] = b;
        return Bytes32.From(id);
    }
}
