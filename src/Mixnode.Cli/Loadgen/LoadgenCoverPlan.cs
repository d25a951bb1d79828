namespace Mixnode.Cli.Loadgen;

/// <summary>
/// One client's sends under Loopix cover, worked out before the run so that the pacer sends them from the same
/// prebuilt schedule as everything else (no timer per client): payload slots at λP, each taking the oldest message
/// that has arrived in the client's queue by then or else carrying a drop; loops at λL. Messages arrive on their own
/// Poisson schedule (the offered load); a message arriving to a full queue is refused and counted, as
/// <c>LoopixStreams</c> does. Slots go on after the duration only while messages still wait (no drops then), so every
/// accepted message is sent. At equal times the payload slot comes first.
/// </summary>
internal sealed class LoadgenCoverPlan
{
    private LoadgenCoverPlan(LoadgenSlot[] slots, double[] queueWaits, int rejected)
    {
        Slots = slots;
        QueueWaitsSeconds = queueWaits;
        Rejected = rejected;
    }

    /// <summary>Every send, in time order.</summary>
    public LoadgenSlot[] Slots { get; }

    /// <summary>Per message sent, from its arrival to its slot, in order of sending.</summary>
    public double[] QueueWaitsSeconds { get; }

    /// <summary>Messages refused because the queue was full.</summary>
    public int Rejected { get; }

    /// <param name="messageArrivals">When each message (index = sequence) is handed to the client, ascending, all before <paramref name="durationSeconds"/>.</param>
    /// <param name="exponential">Exp(1) draws for the gaps.</param>
    public static LoadgenCoverPlan Build(
        IReadOnlyList<double> messageArrivals,
        double payloadRate,
        double loopRate,
        double durationSeconds,
        int maxQueued,
        Func<double> exponential)
    {
        ArgumentNullException.ThrowIfNull(messageArrivals);
        ArgumentNullException.ThrowIfNull(exponential);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueued, 1);
        if (!(payloadRate > 0) || !(loopRate >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(payloadRate), "λP must be positive and λL not negative");
        }

        var slots = new List<LoadgenSlot>();
        var waits = new List<double>();
        var queue = new Queue<int>();
        int rejected = 0;
        int arrived = 0;
        double t = exponential() / payloadRate;
        while (t < durationSeconds || queue.Count > 0 || arrived < messageArrivals.Count)
        {
            while (arrived < messageArrivals.Count && messageArrivals[arrived] <= t)
            {
                if (queue.Count < maxQueued)
                {
                    queue.Enqueue(arrived);
                }
                else
                {
                    rejected++;
                }

                arrived++;
            }

            if (queue.TryDequeue(out int sequence))
            {
                slots.Add(new LoadgenSlot(t, LoadgenPacketKind.Message, sequence));
                waits.Add(t - messageArrivals[sequence]);
            }
            else if (t < durationSeconds)
            {
                slots.Add(new LoadgenSlot(t, LoadgenPacketKind.Drop, -1));
            }

            t += exponential() / payloadRate;
        }

        if (loopRate > 0)
        {
            for (double l = exponential() / loopRate; l < durationSeconds; l += exponential() / loopRate)
            {
                slots.Add(new LoadgenSlot(l, LoadgenPacketKind.Loop, -1));
            }
        }

        // Stable, and Message and Drop sort before Loop: a payload slot goes first at equal times.
        LoadgenSlot[] ordered = [.. slots.OrderBy(s => s.Seconds).ThenBy(s => s.Kind == LoadgenPacketKind.Loop)];
        return new LoadgenCoverPlan(ordered, [.. waits], rejected);
    }

    /// <summary>The plan without cover: each message sent at its arrival.</summary>
    public static LoadgenCoverPlan Direct(IReadOnlyList<double> messageArrivals)
    {
        ArgumentNullException.ThrowIfNull(messageArrivals);
        return new LoadgenCoverPlan([.. messageArrivals.Select((t, i) => new LoadgenSlot(t, LoadgenPacketKind.Message, i))], new double[messageArrivals.Count], 0);
    }
}
