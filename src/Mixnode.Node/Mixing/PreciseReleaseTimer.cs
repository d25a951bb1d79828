using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mixnode.Node.Mixing;

/// <summary>
/// The alarm of a real node on Linux: its own thread, which waits on a monitor (so an earlier alarm wakes it) until
/// the alarm is near, then sleeps the last stretch with <c>clock_nanosleep</c> to the exact due time, and calls back
/// on that thread. .NET's timers and waits count whole milliseconds and fire through the thread pool: measured on a
/// 5-node testnet, a packet then left 0–1.5 ms off its due time at every hop, which is most of the latency a
/// network adds beyond the delays its senders chose. Here a release is late by the kernel's wake-up (tens of µs).
/// </summary>
internal sealed partial class PreciseReleaseTimer : IReleaseTimer
{
    /// <summary>From this close to the alarm on, the thread sleeps precisely (and an earlier alarm waits for it).</summary>
    private static readonly long s_fineWindow = Stopwatch.Frequency / 500; // 2 ms

    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int SetTimerSlack = 29; // PR_SET_TIMERSLACK
    private const long TimerSlackNanoseconds = 10_000;

    private readonly Action _callback;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private long _armedAt = long.MaxValue;
    private bool _disposed;

    public PreciseReleaseTimer(Action callback, string threadName)
    {
        _callback = callback;
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>
    /// True where this timer works: Linux, whose CLOCK_MONOTONIC is what <see cref="Stopwatch"/> reads
    /// (nanoseconds), so a timestamp is a clock_nanosleep deadline as it is.
    /// </summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    public void ArmAt(long timestamp)
    {
        lock (_gate)
        {
            _armedAt = timestamp;
            Monitor.Pulse(_gate);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void Run()
    {
        // Let the kernel wake us within 10 µs of the deadline instead of its default 50 µs slack.
        _ = prctl(SetTimerSlack, (nuint)TimerSlackNanoseconds, 0, 0, 0);
        while (true)
        {
            long sleepUntil = 0;
            lock (_gate)
            {
                while (sleepUntil == 0)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    long due = _armedAt;
                    if (due == long.MaxValue)
                    {
                        Monitor.Wait(_gate);
                        continue;
                    }

                    long remaining = due - Stopwatch.GetTimestamp();
                    if (remaining <= 0)
                    {
                        _armedAt = long.MaxValue;
                        break;
                    }

                    if (remaining > s_fineWindow)
                    {
                        // Coarse and wakeable: whole milliseconds, ending inside the fine window.
                        int milliseconds = (int)Math.Min(int.MaxValue, (remaining - s_fineWindow) * 1000 / Stopwatch.Frequency);
                        Monitor.Wait(_gate, Math.Max(1, milliseconds));
                        continue;
                    }

                    sleepUntil = due;
                }
            }

            if (sleepUntil != 0)
            {
                // Fine and not wakeable (at most the 2 ms window): an earlier alarm set meanwhile waits for it.
                SleepUntil(sleepUntil);
                continue;
            }

            _callback();
        }
    }

    private static unsafe void SleepUntil(long timestamp)
    {
        var deadline = new Timespec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };

        // A signal ends the sleep early (EINTR); the caller's loop looks at the clock again either way.
        _ = clock_nanosleep(ClockMonotonic, TimerAbsoluteTime, &deadline, null);
    }

    [LibraryImport("libc")]
    private static unsafe partial int clock_nanosleep(int clockId, int flags, Timespec* request, Timespec* remain);

    [LibraryImport("libc")]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
