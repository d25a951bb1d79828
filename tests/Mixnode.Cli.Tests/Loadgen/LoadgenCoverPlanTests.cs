using FsCheck;
using FsCheck.Xunit;
using Mixnode.Cli.Loadgen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenCoverPlanTests
{
    [Fact]
    public void Messages_take_the_next_payload_slot_drops_fill_the_rest_and_loops_run_apart()
    {
        // Gaps at their means: slots every 0.25 s, loops every 1.25 s; messages arrive at 0.1, 0.2 and 0.6 s.
        LoadgenCoverPlan plan = LoadgenCoverPlan.Build([0.1, 0.2, 0.6], payloadRate: 4, loopRate: 0.8, durationSeconds: 2.6, maxQueued: 10, () => 1);
        LoadgenSlot[] expected =
        [
            new(0.25, LoadgenPacketKind.Message, 0),
            new(0.5, LoadgenPacketKind.Message, 1),
            new(0.75, LoadgenPacketKind.Message, 2),
            new(1.0, LoadgenPacketKind.Drop, -1),
            new(1.25, LoadgenPacketKind.Drop, -1),
            new(1.25, LoadgenPacketKind.Loop, -1),
            new(1.5, LoadgenPacketKind.Drop, -1),
            new(1.75, LoadgenPacketKind.Drop, -1),
            new(2.0, LoadgenPacketKind.Drop, -1),
            new(2.25, LoadgenPacketKind.Drop, -1),
            new(2.5, LoadgenPacketKind.Drop, -1),
            new(2.5, LoadgenPacketKind.Loop, -1),
        ];
        Assert.Equal(expected, plan.Slots);
        Assert.Equal([0.15, 0.3, 0.15], plan.QueueWaitsSeconds.Select(w => Math.Round(w, 9)));
        Assert.Equal(0, plan.Rejected);
    }

    [Fact]
    public void A_message_arriving_exactly_at_a_slot_takes_it()
    {
        LoadgenCoverPlan plan = LoadgenCoverPlan.Build([0.25], payloadRate: 4, loopRate: 0, durationSeconds: 0.6, maxQueued: 10, () => 1);
        Assert.Equal([new LoadgenSlot(0.25, LoadgenPacketKind.Message, 0), new LoadgenSlot(0.5, LoadgenPacketKind.Drop, -1)], plan.Slots);
    }

    [Fact]
    public void Messages_still_waiting_at_the_end_go_in_slots_after_it_without_drops()
    {
        LoadgenCoverPlan plan = LoadgenCoverPlan.Build([0.9, 0.95, 0.96], payloadRate: 4, loopRate: 0, durationSeconds: 1, maxQueued: 10, () => 1);
        Assert.Equal(
            [
                new LoadgenSlot(0.25, LoadgenPacketKind.Drop, -1), new LoadgenSlot(0.5, LoadgenPacketKind.Drop, -1), new LoadgenSlot(0.75, LoadgenPacketKind.Drop, -1),
                new LoadgenSlot(1.0, LoadgenPacketKind.Message, 0), new LoadgenSlot(1.25, LoadgenPacketKind.Message, 1), new LoadgenSlot(1.5, LoadgenPacketKind.Message, 2),
            ],
            plan.Slots);
    }

    [Fact]
    public void A_full_queue_refuses_and_counts_what_arrives()
    {
        LoadgenCoverPlan plan = LoadgenCoverPlan.Build([0.01, 0.02, 0.03, 0.04, 0.3], payloadRate: 4, loopRate: 0, durationSeconds: 1, maxQueued: 2, () => 1);
        Assert.Equal(2, plan.Rejected);
        Assert.Equal([0, 1, 4], plan.Slots.Where(s => s.Kind == LoadgenPacketKind.Message).Select(s => s.Sequence));
    }

    [Fact]
    public void Without_cover_each_message_goes_at_its_arrival()
    {
        LoadgenCoverPlan plan = LoadgenCoverPlan.Direct([0.1, 0.5]);
        Assert.Equal([new LoadgenSlot(0.1, LoadgenPacketKind.Message, 0), new LoadgenSlot(0.5, LoadgenPacketKind.Message, 1)], plan.Slots);
        Assert.Equal(0, plan.Rejected);
    }

    [Fact]
    public void The_streams_have_the_asked_rates()
    {
        var random = new Random(5);
        double[] arrivals = LoadgenRunner.Schedule(8, 500);
        LoadgenCoverPlan plan = LoadgenCoverPlan.Build(arrivals, payloadRate: 10, loopRate: 2, durationSeconds: 500, maxQueued: 1000, () => -Math.Log(1 - random.NextDouble()));

        // 5,000 slots (sd 71) and 1,000 loops (sd 32); messages are all sent, drops fill the rest.
        int payload = plan.Slots.Count(s => s.Kind != LoadgenPacketKind.Loop);
        Assert.InRange(payload, 4700, 5300);
        Assert.InRange(plan.Slots.Count(s => s.Kind == LoadgenPacketKind.Loop), 850, 1150);
        Assert.Equal(arrivals.Length, plan.Slots.Count(s => s.Kind == LoadgenPacketKind.Message));
        Assert.Equal(0, plan.Rejected);
    }

    [Property(MaxTest = 200)]
    public bool Every_message_is_sent_once_in_order_never_before_it_arrives_and_no_drop_leaves_while_one_waits(PositiveInt seed, PositiveInt capacitySeed)
    {
        var random = new Random(seed.Get);
        double duration = 1 + (random.NextDouble() * 5);
        double[] arrivals = [.. Enumerable.Range(0, random.Next(60)).Select(_ => random.NextDouble() * duration).Order()];
        int capacity = 1 + (capacitySeed.Get % 8);
        LoadgenCoverPlan plan = LoadgenCoverPlan.Build(arrivals, 1 + (random.NextDouble() * 20), random.NextDouble() * 3, duration, capacity, () => -Math.Log(1 - random.NextDouble()));

        LoadgenSlot[] messages = [.. plan.Slots.Where(s => s.Kind == LoadgenPacketKind.Message)];
        bool ordered = plan.Slots.Zip(plan.Slots.Skip(1)).All(p => p.First.Seconds <= p.Second.Seconds);
        bool fifo = messages.Zip(messages.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence);
        bool once = messages.Length + plan.Rejected == arrivals.Length && messages.Select(m => m.Sequence).Distinct().Count() == messages.Length;
        bool notEarly = messages.All(m => m.Seconds >= arrivals[m.Sequence]);
        bool dropsInside = plan.Slots.Where(s => s.Kind != LoadgenPacketKind.Message).All(s => s.Seconds < duration);

        // At a drop, every message that had arrived was already sent (or refused).
        var sentBy = messages.ToDictionary(m => m.Sequence, m => m.Seconds);
        bool noDropWhileWaiting = plan.Slots.Where(s => s.Kind == LoadgenPacketKind.Drop).All(d =>
            Enumerable.Range(0, arrivals.Length).Where(i => arrivals[i] <= d.Seconds).All(i => !sentBy.TryGetValue(i, out double at) || at < d.Seconds));
        return ordered && fifo && once && notEarly && dropsInside && noDropWhileWaiting && plan.QueueWaitsSeconds.All(w => w >= 0);
    }
}
