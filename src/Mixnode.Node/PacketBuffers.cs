using System.Collections.Concurrent;

namespace Mixnode.Node;

/// <summary>
/// Packet buffers for the whole path, socket to socket: rented when a packet comes off a link, returned
/// when it leaves (sent, delivered or dropped). Steady state allocates nothing.
/// <para>
/// Not <c>ArrayPool&lt;byte&gt;.Shared</c>: its per-thread and per-core caches hold a few dozen arrays of a
/// size, while a loaded node has thousands of packets in flight (ingress queue, delay queue, outbound
/// queues), and each buffer is rented on a link's thread and returned on another. Measured with
/// <c>node-forward</c>: the shared pool ran dry and allocated a fresh 4 KB array for nearly every packet
/// (~4.4 KB per forwarded packet, a gen-2 GC every few seconds), and its 4 KB bucket is the one the
/// pipes' segments come from too. This pool keeps up to <see cref="MaxRetained"/> buffers (at most
/// 16 384 × 4 KB ≈ 64 MB after a burst) in one lock-free queue, whose ring-buffer segments stop growing
/// once it has reached its working size.
/// </para>
/// <para>
/// A thread that returns a buffer and rents next gets that same buffer back (the shared pool did the same).
/// Any array may be returned (a caller's own, one of another length): a rented buffer is at least the
/// length asked for, and callers always carry the packet length separately.
/// </para>
/// </summary>
internal static class PacketBuffers
{
    /// <summary>More buffers than this coming back at once (after a burst) are left to the GC.</summary>
    internal const int MaxRetained = 16_384;

    private static readonly ConcurrentQueue<byte[]> s_free = new();
    private static int s_retained;

    /// <summary>
    /// One buffer per thread in front of the queue, as the shared pool has: a thread that returns and then
    /// rents (a dropped packet, then the next one off the same link) gets the same, cache-warm buffer back
    /// without touching the shared queue.
    /// </summary>
    [ThreadStatic]
    private static byte[]? t_last;

    public static byte[] Rent(int packetLength)
    {
        byte[]? last = t_last;
        if (last is not null)
        {
            t_last = null;
            if (last.Length >= packetLength)
            {
                return last;
            }
        }

        while (s_free.TryDequeue(out byte[]? buffer))
        {
            Interlocked.Decrement(ref s_retained);
            if (buffer.Length >= packetLength)
            {
                return buffer;
            }

            // Left over from another geometry (tests run several in one process): let it go.
        }

        return GC.AllocateUninitializedArray<byte>(packetLength);
    }

    /// <summary>
    /// Takes a buffer back, cleared first: at a provider it held a decrypted payload, and a pooled buffer must not
    /// carry one packet's plaintext into the next user of the buffer (or a heap dump). 4 KB of stores per packet.
    /// </summary>
    public static void Return(byte[] buffer)
    {
        Array.Clear(buffer);
        if (t_last is null)
        {
            t_last = buffer;
            return;
        }

        if (Interlocked.Increment(ref s_retained) <= MaxRetained)
        {
            s_free.Enqueue(buffer);
        }
        else
        {
            Interlocked.Decrement(ref s_retained);
        }
    }
}
