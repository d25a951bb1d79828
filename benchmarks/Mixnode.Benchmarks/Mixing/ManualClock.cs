namespace Mixnode.Benchmarks.Mixing;

/// <summary>
/// A clock the benchmark moves by hand, in milliseconds (its timestamp frequency is 1,000, so the mixer's
/// millisecond alarm lands exactly on due times), with timers fired at their own wake times as it moves. The test
/// suite's FakeTimeProvider would do, but costs more per step than the mixer being measured.
/// </summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private long _now;

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => _now;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddMilliseconds(_now);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves on <paramref name="milliseconds"/>, firing each timer at its wake time, earliest first.</summary>
    public void Advance(long milliseconds)
    {
        long target = _now + milliseconds;
        while (true)
        {
            ManualTimer? next = null;
            foreach (ManualTimer timer in _timers)
            {
                if (timer.WakeAt <= target && (next is null || timer.WakeAt < next.WakeAt))
                {
                    next = timer;
                }
            }

            if (next is null)
            {
                break;
            }

            _now = Math.Max(_now, next.WakeAt);
            next.Fire();
        }

        _now = target;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _period;

        public long WakeAt { get; private set; } = long.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            WakeAt = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : clock._now + (long)Math.Ceiling(dueTime.TotalMilliseconds);
            _period = period == Timeout.InfiniteTimeSpan ? 0 : (long)period.TotalMilliseconds;
            return true;
        }

        /// <summary>Re-arms first (for a period), so a Change the callback makes wins, as with a system timer.</summary>
        public void Fire()
        {
            WakeAt = _period > 0 ? WakeAt + _period : long.MaxValue;
            callback(state);
        }

        public void Dispose()
        {
            WakeAt = long.MaxValue;
            clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
