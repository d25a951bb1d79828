namespace Mixnode.Pki;

/// <summary>
/// Katzenpost's epoch time: epoch 0 starts at 2017-06-01T00:00:00Z and every epoch lasts <see cref="Period"/>
/// (20 minutes unless the network says otherwise). Mix keys are per epoch, so every node and client must agree on
/// this arithmetic exactly; time comes from the injected <see cref="TimeProvider"/> so tests can move it.
/// </summary>
internal sealed class EpochClock
{
    /// <summary>The start of epoch 0 (Katzenpost's <c>epochtime.Epoch</c>).</summary>
    public static readonly DateTimeOffset Origin = new(2017, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Katzenpost's default epoch period.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromMinutes(20);

    public EpochClock(TimeProvider time, TimeSpan? period = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        TimeSpan p = period ?? DefaultPeriod;
        if (p < TimeSpan.FromSeconds(1) || p > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(period), p, "the epoch period must be between 1 second and 7 days");
        }

        Time = time;
        Period = p;
    }

    public TimeProvider Time { get; }

    public TimeSpan Period { get; }

    /// <summary>The epoch that contains the provider's current UTC time.</summary>
    public long Current => EpochAt(Time.GetUtcNow());

    /// <summary>Time left until the next epoch starts (never zero: at a boundary it is a full period).</summary>
    public TimeSpan TillNext
    {
        get
        {
            DateTimeOffset now = Time.GetUtcNow();
            return StartOf(EpochAt(now) + 1) - now;
        }
    }

    /// <summary>The epoch containing <paramref name="instant"/>; instants before the origin get negative epochs (floor division).</summary>
    public long EpochAt(DateTimeOffset instant)
    {
        long elapsed = (instant - Origin).Ticks;
        long period = Period.Ticks;
        long epoch = elapsed / period;
        return elapsed % period < 0 ? epoch - 1 : epoch;
    }

    public DateTimeOffset StartOf(long epoch) => Origin + TimeSpan.FromTicks(checked(epoch * Period.Ticks));

    /// <summary>The exclusive end of <paramref name="epoch"/>: the start of the next one.</summary>
    public DateTimeOffset EndOf(long epoch) => StartOf(epoch + 1);
}
