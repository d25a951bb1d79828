using System.Buffers;
using System.Collections.Concurrent;

namespace Mixnode.Links;

/// <summary>
/// The memory of every link's pipes: fixed-size blocks kept for reuse, after Kestrel's pinned block pool.
/// <para>
/// Why not the pipes' default (<c>ArrayPool&lt;byte&gt;.Shared</c>): a link to a slower peer holds up to
/// <see cref="LinkOptions.PauseThresholdBytes"/> (1 MB, 64 segments) in its output pipe, far more than the
/// shared pool caches per size, so under load nearly every segment was a fresh 16 KB array (measured with
/// <c>node-forward</c>: ~150–500 B allocated per forwarded packet). Blocks are the pipe's
/// <see cref="IMemoryOwner{T}"/> themselves, so renting one allocates nothing once the pool is warm.
/// They live on the pinned object heap: sockets pin them for every call, and pinned blocks among ordinary
/// objects would fragment the heap.
/// </para>
/// </summary>
internal sealed class PipeBlockPool : MemoryPool<byte>
{
    /// <summary>The segment size of every link pipe.</summary>
    public const int BlockSize = 16 * 1024;

    /// <summary>Blocks kept when idle (32 MB): enough for the few busy links a node has; bursts beyond are left to the GC.</summary>
    private const int MaxRetained = 2048;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _retained;

    public static PipeBlockPool Instance { get; } = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _retained);
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        // Shared by all links for the life of the process.
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _retained) <= MaxRetained)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly PipeBlockPool _pool;
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Block(PipeBlockPool pool) => _pool = pool;

        public Memory<byte> Memory => _array;

        // The pipe disposes each segment's owner exactly once, when it is done with the segment.
        public void Dispose() => _pool.Return(this);
    }
}
