using System.Diagnostics;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.Logging;
using Mixnode.Node.Telemetry;
using Mixnode.Sphinx;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// N workers (default one per core) draining the ingress queue. Unwrapping is CPU-bound and independent
/// per packet, so workers share nothing but the queue, the key ring and the replay filters. A worker takes up
/// to eight waiting packets at once; with the eight-lane X25519 (<see cref="SphinxUnwrapper.BatchAccelerated"/>)
/// <see cref="PacketProcessor.ProcessBatch"/> unwraps them together (under load the queue is never empty, so the node
/// then unwraps about four times as many packets per core), without it one after another as before.
/// <para>
/// Idle workers do not wait with <c>ChannelReader.WaitToReadAsync</c>: the channel keeps one reusable waiter,
/// so with two or more workers every other wait allocated (measured with <c>node-forward</c> at low load:
/// ~26 B per packet). Instead an idle worker parks on its own reusable wait object and the queue wakes one
/// parked worker per packet it accepts (<see cref="IngressQueue.PacketAvailable"/>).
/// </para>
/// <para>
/// Links hand over the packets of one read as a burst (<see cref="IngressQueue.EndOfBurst"/>). When every worker is
/// parked and the burst fits one batch, the link's thread unwraps it right there: waking a worker costs a thread
/// wake-up and a context switch per packet, for work that would then run on an otherwise idle core anyway, and sits on
/// the path of every packet at its last hop. Measured on the testnet at 3,000 packets/s with exact release: 71 instead
/// of 84–88 µs of CPU per packet per node. Otherwise it wakes one worker per eight packets.
/// </para>
/// </summary>
internal sealed class CryptoWorkerPool
{
    private readonly IngressQueue _queue;
    private readonly PacketProcessor _processor;
    private readonly ILogger _logger;
    private readonly NodeMetrics _metrics;
    private readonly Lock _idleLock = new();
    private Worker?[] _idle = [];
    private int _idleCount;
    private Task[] _workers = [];

    /// <summary>
    /// <see cref="Stopwatch"/> ticks: the current 10 ms window and the time links' threads spent unwrapping in it
    /// (see <see cref="OnBurstEnded"/>). Updated without a lock by whichever link thread gets there: an estimate.
    /// </summary>
    private static readonly long s_inlineWindow = Stopwatch.Frequency / 100;
    private long _inlineWindowStart;
    private long _inlineBusy;

    /// <summary>Scratch for bursts unwrapped on a link's thread (a link's receive loop may run on any pool thread).</summary>
    [ThreadStatic]
    private static UnwrapBatch? t_inlineBatch;

    public CryptoWorkerPool(IngressQueue queue, PacketProcessor processor, NodeMetrics metrics, ILogger logger)
    {
        _queue = queue;
        _processor = processor;
        _metrics = metrics;
        _logger = logger;
    }

    public int Count => _workers.Length;

    /// <summary>Workers waiting for packets (tests).</summary>
    internal int ParkedCount => Volatile.Read(ref _idleCount);

    public void Start(int count)
    {
        _idle = new Worker?[count];
        _queue.PacketAvailable = WakeOne;
        _queue.BurstEnded = OnBurstEnded;
        _workers = [.. Enumerable.Range(0, count).Select(_ => Task.Run(() => RunAsync(new Worker())))];
    }

    /// <summary>Stops taking packets; what is still queued is processed first.</summary>
    public Task StopAsync()
    {
        _queue.Complete();
        lock (_idleLock)
        {
            while (_idleCount > 0)
            {
                TakeIdle().Wake();
            }
        }

        return Task.WhenAll(_workers);
    }

    /// <summary>After each accepted packet: wakes one parked worker, if any (at full load none is, and this is a fence and a read).</summary>
    private void WakeOne()
    {
        // Pairs with the worker's registration then re-check: either it sees the packet or this sees it parked.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _idleCount) == 0)
        {
            return;
        }

        Worker? worker = null;
        lock (_idleLock)
        {
            if (_idleCount > 0)
            {
                worker = TakeIdle();
            }
        }

        worker?.Wake();
    }

    /// <summary>A link's burst is queued: unwrapped here when all workers sleep and it fits a batch, else handed to workers.</summary>
    private void OnBurstEnded()
    {
        var reader = _queue.Reader;
        int waiting = reader.Count;
        long started = Stopwatch.GetTimestamp();
        if (started - Volatile.Read(ref _inlineWindowStart) > s_inlineWindow)
        {
            Volatile.Write(ref _inlineWindowStart, started);
            Volatile.Write(ref _inlineBusy, 0);
        }

        // At most half of each window goes to unwrapping on links' threads: beyond that the load is the workers' (and
        // the other cores'). Without this bound one busy link kept the workers asleep and the node on one core
        // (node-forward: 17,300 packets/s on 1.0 core instead of ~52,000 on 1.5).
        if (waiting <= SphinxUnwrapper.MaxBatch && Volatile.Read(ref _idleCount) == _idle.Length && _idle.Length > 0
            && Volatile.Read(ref _inlineBusy) * 2 < s_inlineWindow)
        {
            UnwrapBatch batch = t_inlineBatch ??= new UnwrapBatch();
            if (TakeBatch(reader, batch))
            {
                Process(batch);
            }

            Interlocked.Add(ref _inlineBusy, Stopwatch.GetTimestamp() - started);

            // Another link's burst may have come meanwhile and found this thread's work in the count.
            waiting = reader.Count;
        }

        for (int i = 0; i < waiting; i += SphinxUnwrapper.MaxBatch)
        {
            WakeOne();
        }
    }

    private void Process(UnwrapBatch batch)
    {
        try
        {
            _processor.ProcessBatch(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug must cost at most one batch, never the worker: the node keeps serving everyone else.
            _metrics.PacketDropped(DropReason.Malformed);
            NodeLog.WorkerFailed(_logger, e);
        }
        finally
        {
            batch.Clear();
        }
    }

    // Called under the lock.
    private Worker TakeIdle()
    {
        Worker worker = _idle[--_idleCount]!;
        _idle[_idleCount] = null;
        return worker;
    }

    private async Task RunAsync(Worker worker)
    {
        var reader = _queue.Reader;
        var batch = new UnwrapBatch();
        while (true)
        {
            // Whatever is waiting, up to a batch: never wait for more (a batch costs about what two packets do).
            while (TakeBatch(reader, batch))
            {
                Process(batch);
            }

            // Completed and drained.
            if (reader.Completion.IsCompleted)
            {
                return;
            }

            worker.Reset();
            lock (_idleLock)
            {
                _idle[_idleCount++] = worker;
            }

            // A packet (or the end) that came before this worker was parked found nobody to wake: look again.
            if (reader.TryPeek(out _) || reader.Completion.IsCompleted)
            {
                bool stillParked;
                lock (_idleLock)
                {
                    int at = Array.IndexOf(_idle, worker, 0, _idleCount);
                    stillParked = at >= 0;
                    if (stillParked)
                    {
                        _idle[at] = _idle[--_idleCount];
                        _idle[_idleCount] = null;
                    }
                }

                if (stillParked)
                {
                    continue;
                }

                // Already taken by a waker, whose Wake is on its way: wait for it so the next round starts clean.
            }

            await worker.WaitAsync().ConfigureAwait(false);
        }
    }

    private static bool TakeBatch(ChannelReader<IngressPacket> reader, UnwrapBatch batch)
    {
        while (batch.Count < SphinxUnwrapper.MaxBatch && reader.TryRead(out IngressPacket packet))
        {
            batch.Packets[batch.Count++] = packet;
        }

        return batch.Count > 0;
    }

    /// <summary>A worker's reusable wait: reset before parking, completed once by whoever takes it off the idle list.</summary>
    private sealed class Worker : IValueTaskSource
    {
        // Continuations run on the thread pool, never inline in the link's receive loop that woke the worker.
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

        public void Reset() => _core.Reset();

        public void Wake() => _core.SetResult(true);

        public ValueTask WaitAsync() => new(this, _core.Version);

        public void GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
