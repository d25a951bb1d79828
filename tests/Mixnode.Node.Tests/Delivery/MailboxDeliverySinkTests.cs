using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Delivery;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Delivery;

/// <summary>
/// A provider's mailboxes: order per recipient; bounded size, bytes and count, each refusing the new message (never
/// queued mail) and counted; lifetimes (expiry, empty mailboxes removed); leases acknowledged or given back; parking.
/// </summary>
public sealed class MailboxDeliverySinkTests : IDisposable
{
    private static readonly Bytes32 s_alice = Recipient(1);
    private static readonly Bytes32 s_bob = Recipient(2);
    private static readonly Bytes32 s_carol = Recipient(3);
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly MetricCollector<long> _dropped;
    private readonly MetricCollector<long> _mailboxDropped;
    private readonly MetricCollector<long> _retrievalsRefused;
    private readonly FakeTimeProvider _time = new();

    public MailboxDeliverySinkTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
        _mailboxDropped = new MetricCollector<long>(_metrics.Meter, "mixnode.mailbox.dropped");
        _retrievalsRefused = new MetricCollector<long>(_metrics.Meter, "mixnode.retrievals.refused");
    }

    public void Dispose()
    {
        _dropped.Dispose();
        _mailboxDropped.Dispose();
        _retrievalsRefused.Dispose();
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
        Assert.Equal(0, sink.MailboxCount);
        Assert.Empty(_dropped.GetMeasurementSnapshot());
    }

    [Fact]
    public void A_full_mailbox_refuses_the_new_message_and_keeps_the_queued_ones()
    {
        // Before: the oldest went, so anyone who knew a recipient's key could wipe its mail with a flood.
        MailboxDeliverySink sink = Sink(capacity: 3, maxMailboxes: 10);
        foreach (string text in new[] { "m1", "m2", "m3" })
        {
            Assert.True(Deliver(sink, s_alice, text));
        }

        Assert.False(Deliver(sink, s_alice, "flood1"));
        Assert.False(Deliver(sink, s_alice, "flood2"));

        Assert.Equal(["m1", "m2", "m3"], FetchAll(sink, s_alice).Select(m => m.Text));
        Assert.Equal(2, Dropped("mailbox_full"));

        // Fetched: room again.
        Assert.True(Deliver(sink, s_alice, "m4"));
    }

    [Fact]
    public void A_mailbox_whose_last_message_was_fetched_is_removed()
    {
        // Before: every recipient that ever got a message kept a mailbox (and a slot of the table) for good.
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 10);
        Assert.True(Deliver(sink, s_alice, "a1"));
        Assert.Equal(1, sink.MailboxCount);

        Assert.Single(FetchAll(sink, s_alice));
        Assert.Equal(0, sink.MailboxCount);
        Assert.Equal(0, sink.StoredBytes);
    }

    [Fact]
    public void Past_the_mailbox_limit_a_new_recipient_gets_in_once_a_mailbox_was_emptied()
    {
        // Before: a full table refused every new recipient until restart, emptied mailboxes included.
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 2);
        Assert.True(Deliver(sink, s_alice, "a1"));
        Assert.True(Deliver(sink, s_bob, "b1"));
        Assert.False(Deliver(sink, s_carol, "c1"));
        Assert.Equal(1, Dropped("no_mailbox"));

        Assert.Single(FetchAll(sink, s_bob));
        Assert.True(Deliver(sink, s_carol, "c2"));
        Assert.Equal(["c2"], FetchAll(sink, s_carol).Select(m => m.Text));
    }

    [Fact]
    public void A_message_older_than_its_lifetime_expires_and_its_mailbox_goes_with_it()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 10, lifetime: TimeSpan.FromHours(1));
        Assert.True(Deliver(sink, s_alice, "old"));
        _time.Advance(TimeSpan.FromMinutes(40));
        Assert.True(Deliver(sink, s_alice, "young"));

        // The sweep runs every quarter lifetime (at most a minute): by 1 h 1 min the first message is gone.
        _time.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal(1, Dropped("expired"));
        Assert.Equal(["young"], FetchAll(sink, s_alice).Select(m => m.Text));

        Assert.True(Deliver(sink, s_bob, "b1"));
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        Assert.Equal(2, Dropped("expired"));
        Assert.Equal(0, sink.MailboxCount);
        Assert.Equal(0, sink.StoredBytes);
    }

    [Fact]
    public void Over_the_byte_budget_new_messages_are_refused_until_mail_is_fetched()
    {
        // 1 MiB of budget, 100 KB messages in 128 KiB pooled buffers: eight fit.
        MailboxDeliverySink sink = Sink(capacity: 100, maxMailboxes: 100, maxStoredBytes: 1 << 20);
        byte[] big = new byte[100_000];
        for (int i = 0; i < 8; i++)
        {
            Assert.True(sink.Deliver(new DeliveredMessage(Recipient((byte)(10 + i)), isSurbReply: false, default, big)));
        }

        Assert.False(sink.Deliver(new DeliveredMessage(s_alice, isSurbReply: false, default, big)));
        Assert.Equal(1, Dropped("store_full"));
        Assert.Equal(8, sink.MailboxCount);
        Assert.True(sink.StoredBytes <= 1 << 20);

        Assert.Single(FetchAll(sink, Recipient(10)));
        Assert.True(sink.Deliver(new DeliveredMessage(s_alice, isSurbReply: false, default, big)));
    }

    [Fact]
    public void A_leased_message_not_acknowledged_when_its_session_ends_goes_back_to_the_head_of_the_mailbox()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 10);
        Assert.True(Deliver(sink, s_alice, "m1"));
        Assert.True(Deliver(sink, s_alice, "m2"));

        RetrievalSession first = sink.BeginRetrieval(s_alice);
        Assert.Equal("m1", Answer(sink, first));
        Assert.Equal("m2", Answer(sink, first));

        // Leased messages still count against the capacity: two queued at most besides them.
        Assert.True(Deliver(sink, s_alice, "m3"));
        Assert.True(Deliver(sink, s_alice, "m4"));
        Assert.False(Deliver(sink, s_alice, "m5"));

        // The client read the first answer only (it says so with the count 1), then the link dropped.
        sink.Acknowledge(first, 1);
        sink.EndRetrieval(first);

        RetrievalSession second = sink.BeginRetrieval(s_alice);
        Assert.Equal(["m2", "m3", "m4"], [Answer(sink, second), Answer(sink, second), Answer(sink, second)]);
        sink.Acknowledge(second, 3);
        sink.EndRetrieval(second);
        Assert.Equal(0, sink.MailboxCount);
        Assert.Equal(0, sink.StoredBytes);
    }

    [Fact]
    public void Acknowledging_counts_every_answer_written_Empty_ones_too_and_never_runs_ahead_of_them()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 10);
        RetrievalSession session = sink.BeginRetrieval(s_alice);
        session.CountEmptyAnswer();
        Assert.True(Deliver(sink, s_alice, "m1"));
        Assert.Equal("m1", Answer(sink, session));

        // Answer 0 was Empty, answer 1 carried m1: a count of 1 acknowledges only the Empty one.
        sink.Acknowledge(session, 1);
        Assert.Equal(1, session.LeaseCount);

        // Handed out but not yet written: a count far ahead (an old client counting requests) acknowledges what was written.
        Assert.True(Deliver(sink, s_alice, "m2"));
        Assert.True(sink.TryLease(session, out RetrievalLease? unsent, out _));
        sink.Acknowledge(session, 1000);
        Assert.Equal(1, session.LeaseCount);
        Assert.Equal("m2", Text(unsent!.Message));
    }

    [Fact]
    public void A_parked_retrieval_is_answered_by_the_next_message_and_released_when_its_session_ends()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 1);
        Assert.True(Deliver(sink, s_bob, "b1"));

        // The table is full for deliveries, but a connected client always gets its mailbox to park on.
        RetrievalSession session = sink.BeginRetrieval(s_alice);
        string? answered = null;
        Assert.Equal(ParkOutcome.Parked, sink.TryPark(session, () => sink.TryLease(session, out RetrievalLease? lease, out _) && (answered = Text(lease!.Message)) is not null));
        Assert.Equal(1, sink.ParkedCount);
        Assert.Equal(2, sink.MailboxCount);

        Assert.True(Deliver(sink, s_alice, "a1"));
        Assert.Equal("a1", answered);
        Assert.Equal(0, sink.ParkedCount);

        // Parked again, then the link closes: nothing of the session stays behind, and its lease goes back.
        Assert.Equal(ParkOutcome.Parked, sink.TryPark(session, () => false));
        sink.EndRetrieval(session);
        Assert.Equal(0, sink.ParkedCount);
        Assert.Equal(["a1"], FetchAll(sink, s_alice).Select(m => m.Text));
        Assert.Equal(1, sink.MailboxCount);
        Assert.Equal(ParkOutcome.Ended, sink.TryPark(session, () => false));
    }

    [Fact]
    public void Throwaway_identities_that_park_and_leave_leave_nothing_behind()
    {
        // Before: each parked retrieval made a mailbox that lived for ever (with the closed session it held).
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 100);
        for (byte i = 1; i <= 50; i++)
        {
            RetrievalSession session = sink.BeginRetrieval(Recipient(i));
            Assert.Equal(ParkOutcome.Parked, sink.TryPark(session, () => true));
            sink.EndRetrieval(session);
        }

        Assert.Equal(0, sink.MailboxCount);
        Assert.Equal(0, sink.ParkedCount);
    }

    [Fact]
    public void Beyond_the_parked_limit_a_retrieval_is_refused_and_counted()
    {
        MailboxDeliverySink sink = Sink(capacity: 4, maxMailboxes: 100, maxParked: 2);
        RetrievalSession alice = sink.BeginRetrieval(s_alice);
        RetrievalSession bob = sink.BeginRetrieval(s_bob);
        Assert.Equal(ParkOutcome.Parked, sink.TryPark(alice, () => false));
        Assert.Equal(ParkOutcome.Parked, sink.TryPark(bob, () => false));
        Assert.Equal(ParkOutcome.Refused, sink.TryPark(alice, () => false));
        Assert.Equal(1, _retrievalsRefused.GetMeasurementSnapshot().Where(m => (string?)m.Tags["reason"] == "parked_limit").Sum(m => m.Value));

        sink.EndRetrieval(bob);
        Assert.Equal(ParkOutcome.Parked, sink.TryPark(alice, () => false));
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
        Assert.Equal(1, Dropped("no_mailbox"));

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

    private MailboxDeliverySink Sink(int capacity, int maxMailboxes, TimeSpan? lifetime = null, long maxStoredBytes = 256L << 20, int maxParked = 16_384) =>
        new(Options.Create(new NodeOptions
        {
            Delivery =
            {
                MailboxCapacity = capacity,
                MaxMailboxes = maxMailboxes,
                MessageLifetime = lifetime ?? TimeSpan.FromHours(24),
                MaxStoredBytes = maxStoredBytes,
                MaxParkedRetrievals = maxParked,
            },
        }), _metrics, _time);

    private long Dropped(string reason) =>
        _mailboxDropped.GetMeasurementSnapshot().Where(m => (string?)m.Tags["reason"] == reason).Sum(m => m.Value);

    /// <summary>Leases the next message to <paramref name="session"/> and writes its answer (as the handler does on the wire).</summary>
    private static string Answer(MailboxDeliverySink sink, RetrievalSession session)
    {
        Assert.True(sink.TryLease(session, out RetrievalLease? lease, out _));
        string? text = null;
        Assert.True(session.TryWriteAnswer(lease!, new byte[1], (in StoredMessage m, Span<byte> _) => (text = Text(m)) is not null));
        return text!;
    }

    private static string Text(in StoredMessage message) => System.Text.Encoding.UTF8.GetString(message.Payload);

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
