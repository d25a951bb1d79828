using System.Diagnostics;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Bench;

/// <summary>
/// Measures operations per second of unwrap and of raw X25519 in this process, on one thread or on every
/// core. Each run is preceded by a short warm-up so the JIT has reached its optimised tier.
/// </summary>
internal static class ThroughputMeter
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(400);

    /// <summary>X25519 scalar multiplications per second on one thread (the backend the node uses).</summary>
    public static double X25519PerSecond(TimeSpan duration)
    {
        byte[] scalar = new byte[X25519.ScalarSize];
        byte[] point = new byte[X25519.PointSize];
        byte[] output = new byte[X25519.PointSize];
        Random.Shared.NextBytes(scalar);
        X25519.ScalarMultBase(scalar, point);
        return Measure(duration, 1, () => X25519.ScalarMult(scalar, point, output));
    }

    /// <summary>Unwraps per second of one packet of <paramref name="bench"/>'s geometry, on <paramref name="threads"/> threads.</summary>
    public static double UnwrapsPerSecond(BenchPacket bench, TimeSpan duration, int threads)
    {
        return Measure(duration, threads, CreateWorker);

        Action CreateWorker()
        {
            byte[] work = new byte[bench.Packet.Length];
            return () =>
            {
                bench.Packet.CopyTo(work, 0);
                UnwrapResult result = SphinxUnwrapper.Unwrap(bench.Geometry, bench.FirstHopKey, work, out _);
                if (result != UnwrapResult.Success)
                {
                    throw new InvalidOperationException($"benchmark packet failed to unwrap: {result}");
                }
            };
        }
    }

    /// <summary>
    /// Packets per second unwrapped eight at a time (<see cref="SphinxUnwrapper.UnwrapBatch"/>) on one thread: what a
    /// loaded node's worker does when the eight-lane X25519 is available (else the same as one at a time).
    /// </summary>
    public static double BatchUnwrapsPerSecond(BenchPacket bench, TimeSpan duration)
    {
        const int batch = SphinxUnwrapper.MaxBatch;
        return batch * Measure(duration, 1, CreateWorker);

        Action CreateWorker()
        {
            var packets = new Memory<byte>[batch];
            for (int i = 0; i < batch; i++)
            {
                packets[i] = new byte[bench.Packet.Length];
            }

            var results = new UnwrapResult[batch];
            var unwrapped = new UnwrappedPacket[batch];
            return () =>
            {
                foreach (Memory<byte> packet in packets)
                {
                    bench.Packet.CopyTo(packet);
                }

                SphinxUnwrapper.UnwrapBatch(bench.Geometry, bench.FirstHopKey, packets, results, unwrapped);
                foreach (UnwrapResult result in results)
                {
                    if (result != UnwrapResult.Success)
                    {
                        throw new InvalidOperationException($"benchmark packet failed to unwrap in a batch: {result}");
                    }
                }
            };
        }
    }

    private static double Measure(TimeSpan duration, int threads, Action operation) =>
        Measure(duration, threads, () => operation);

    private static double Measure(TimeSpan duration, int threads, Func<Action> createWorker)
    {
        Run(WarmUp, threads, createWorker);
        return Run(duration, threads, createWorker);
    }

    private static double Run(TimeSpan duration, int threads, Func<Action> createWorker)
    {
        long total = 0;
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            Action operation = createWorker();
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                long count = 0;
                long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < end)
                {
                    operation();
                    count++;
                }

                Interlocked.Add(ref total, count);
            })
            { IsBackground = true, Name = "bench" };
            workers[t].Start();
        }

        start.SignalAndWait();
        long began = Stopwatch.GetTimestamp();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        double elapsed = Stopwatch.GetElapsedTime(began).TotalSeconds;
        return total / elapsed;
    }
}
