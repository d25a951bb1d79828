namespace Mixnode.Node.Mixing;

/// <summary>
/// The alarm on a <see cref="TimeProvider"/> timer: what tests use with a fake clock, and the fallback where
/// <see cref="PreciseReleaseTimer"/> is unavailable. System timers have millisecond granularity and fire late, so
/// the delay queue pairs this timer with a little early release (see <see cref="StopAndGoMixer"/>).
/// </summary>
internal sealed class TimeProviderReleaseTimer : IReleaseTimer
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    public TimeProviderReleaseTimer(TimeProvider time, Action callback)
    {
        _time = time;
        _timer = time.CreateTimer(static state => ((Action)state!)(), callback, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void ArmAt(long timestamp)
    {
        TimeSpan wait = _time.GetElapsedTime(_time.GetTimestamp(), timestamp);

        // System timers truncate to whole milliseconds and may fire up to one early: rounded down, a packet due in
        // 0.7 ms would re-arm 0 ms timers (a busy loop) until it is due. Rounded up, it leaves within 1 ms late.
        _timer.Change(wait <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();
}
