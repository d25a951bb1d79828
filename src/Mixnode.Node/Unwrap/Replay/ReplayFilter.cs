using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using Mixnode.Sphinx;

namespace Mixnode.Node.Unwrap.Replay;

/// <summary>
/// Remembers the replay tags of one mix key: <see cref="TryAdd"/> is an atomic test-and-insert that says
/// whether a tag is new. A blocked Bloom filter whose bits live in a shared memory-mapped file, so every bit
/// is in the OS page cache the moment it is set and survives a kill of the process; a timer msyncs it to
/// disk. False positives (a fresh packet refused) happen at the configured rate; false negatives never.
/// Memory is fixed at open (<see cref="ReplayFilterLayout.BitArrayBytes"/> plus a 4 KiB header).
/// Design, rates and crash argument: <c>docs/replay-filter.md</c>.
/// </summary>
internal sealed unsafe class ReplayFilter : IDisposable
{
    /// <summary>Locks serialising racers on the same tag; 1024 keeps collisions between different tags rare.</summary>
    private const int StripeCount = 1024;

    /// <summary>One lock per 64-byte line, so workers spinning on different stripes do not share a line.</summary>
    private const int StripeStride = 16;

    private const int Free = 0;
    private const int Held = 1;
    private const int Closed = 2;

    private readonly string _path;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly ulong* _bits;
    private readonly ulong _blockCount;
    private readonly int _k;
    private readonly ulong _key0;
    private readonly ulong _key1;
    private readonly int[] _stripes = new int[StripeCount * StripeStride];
    private readonly ITimer? _flushTimer;
    private readonly Action? _flushFailed;
    private readonly byte[] _identity;
    private readonly Lock _gate = new();
    private long _count;
    private bool _disposed;

    private ReplayFilter(string path, ReplayFilterLayout layout, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* mapped, ReadOnlySpan<byte> key, byte[] identity, ReplayFilterOptions options, TimeProvider timeProvider, Action? flushFailed)
    {
        _path = path;
        _identity = identity;
        _flushFailed = flushFailed;
        Layout = layout;
        _file = file;
        _view = view;
        _base = mapped;
        _bits = (ulong*)(mapped + ReplayFilterHeader.Length);
        _blockCount = (ulong)layout.BlockCount;
        _k = layout.BitsPerBlock;
        _key0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        _key1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
        _count = (long)Volatile.Read(ref *(ulong*)(mapped + ReplayFilterHeader.CountOffset));
        if (options.FlushInterval != Timeout.InfiniteTimeSpan)
        {
            _flushTimer = timeProvider.CreateTimer(static state => ((ReplayFilter)state!).TryFlushInBackground(), this, options.FlushInterval, options.FlushInterval);
        }
    }

    public ReplayFilterLayout Layout { get; }

    public string FilePath => _path;

    /// <summary>Tags accepted (approximate: after a crash it restarts from the count at the last flush).</summary>
    public long Count => Volatile.Read(ref _count);

    public long Capacity => Layout.Capacity;

    /// <summary>More tags than the filter was sized for: fresh packets are refused more often (never replays accepted).</summary>
    public bool IsOverCapacity => Count > Layout.Capacity;

    /// <summary>The false-positive rate at the current <see cref="Count"/>.</summary>
    public double EstimatedFalsePositiveRate => Layout.FalsePositiveRate(Count);

    /// <summary>Background flushes that failed (the next one retries).</summary>
    public long FlushFailures { get; private set; }

    /// <summary>This file's identity (<see cref="ReplayFilterHeader.Identity"/>): what a key's marker records.</summary>
    public ReadOnlySpan<byte> Identity => _identity;

    /// <summary><c>replay-EPOCH.bin</c> in the node's state directory.</summary>
    public static string PathFor(string stateDirectory, ulong epoch) =>
        Path.Combine(stateDirectory, string.Create(CultureInfo.InvariantCulture, $"replay-{epoch}.bin"));

    /// <summary>
    /// Opens the filter at <paramref name="path"/>, creating it (mode 0600, fresh random hashing key) when it does
    /// not exist. An existing file must have been made with the same capacity and rate, else
    /// <see cref="ReplayFilterFileException"/> names the file and the difference.
    /// </summary>
    /// <param name="flushFailed">Called (on the timer's thread) after each background flush that failed.</param>
    public static ReplayFilter Open(string path, ReplayFilterOptions options, TimeProvider? timeProvider = null, Action? flushFailed = null) =>
        Open(path, options, timeProvider, flushFailed, createIfMissing: true);

    /// <summary>
    /// Opens the filter at <paramref name="path"/>, which must exist: for a key that already had a filter, a missing
    /// file is not a fresh start but lost replay state (<see cref="ReplayFilterFileError.Missing"/>).
    /// </summary>
    public static ReplayFilter OpenExisting(string path, ReplayFilterOptions options, TimeProvider? timeProvider = null, Action? flushFailed = null) =>
        Open(path, options, timeProvider, flushFailed, createIfMissing: false);

    private static ReplayFilter Open(string path, ReplayFilterOptions options, TimeProvider? timeProvider, Action? flushFailed, bool createIfMissing)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (options.FlushInterval <= TimeSpan.Zero && options.FlushInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FlushInterval, "FlushInterval must be positive or infinite");
        }

        ReplayFilterLayout layout = ReplayFilterLayout.Compute(options.Capacity, options.FalsePositiveRate);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            if (!createIfMissing)
            {
                throw new ReplayFilterFileException(path, ReplayFilterFileError.Missing,
                    "missing, but its mix key already had a filter: the packets that key processed could be replayed. " +
                    "Restore the file from the node's state directory, or retire the key (delete its mix key file and marker) and start again");
            }

            Create(path, layout);
        }

        // Shared access: a restarted node maps the same pages a killed one left in the page cache.
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException) when (!createIfMissing)
        {
            throw new ReplayFilterFileException(path, ReplayFilterFileError.Missing, "missing, but its mix key already had a filter");
        }

        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            byte[] header = new byte[ReplayFilterHeader.Length];
            int read = RandomAccess.Read(stream.SafeFileHandle, header, 0);
            byte[] key = ReplayFilterHeader.Validate(path, header.AsSpan(0, read), stream.Length, layout);
            byte[] identity = ReplayFilterHeader.Identity(header);
            file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            var filter = new ReplayFilter(path, layout, file, view, pointer + view.PointerOffset, key, identity, options, timeProvider ?? TimeProvider.System, flushFailed);
            CryptographicOperations.ZeroMemory(key);
            return filter;
        }
        catch
        {
            view?.Dispose();
            file?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when <paramref name="tag"/> was not in the filter (it now is); false for a replay, a false
    /// positive, or after <see cref="Dispose"/> (refusing is the safe answer for a retired key).
    /// Safe to call from any number of threads; of several racing with one tag exactly one gets true.
    /// </summary>
    public bool TryAdd(in Bytes32 tag)
    {
        ulong hash = SipHash24.Hash(_key0, _key1, tag);
        Span<ulong> masks = stackalloc ulong[ReplayFilterLayout.WordsPerBlock * 2];
        ulong* first = Block(ref hash, masks[..ReplayFilterLayout.WordsPerBlock]);
        ulong* second = Block(ref hash, masks[ReplayFilterLayout.WordsPerBlock..]);

        // Start both cache misses now, so they overlap each other and the stripe lock's fence.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(first);
            Sse.Prefetch0(second);
        }

        ref int stripe = ref _stripes[(int)(hash >> 54) * StripeStride];
        if (!Acquire(ref stripe))
        {
            return false;
        }

        bool present = Contains(first, masks[..ReplayFilterLayout.WordsPerBlock]) && Contains(second, masks[ReplayFilterLayout.WordsPerBlock..]);
        if (!present)
        {
            // Atomic ORs: other stripes may be setting other bits of the same words at the same time.
            Set(first, masks[..ReplayFilterLayout.WordsPerBlock]);
            Set(second, masks[ReplayFilterLayout.WordsPerBlock..]);
        }

        Volatile.Write(ref stripe, Free);
        if (present)
        {
            return false;
        }

        Interlocked.Increment(ref _count);
        return true;
    }

    /// <summary>Whether the tag's bits are all set, without adding it (tests and diagnostics).</summary>
    public bool MightContain(in Bytes32 tag)
    {
        ulong hash = SipHash24.Hash(_key0, _key1, tag);
        Span<ulong> masks = stackalloc ulong[ReplayFilterLayout.WordsPerBlock * 2];
        ulong* first = Block(ref hash, masks[..ReplayFilterLayout.WordsPerBlock]);
        ulong* second = Block(ref hash, masks[ReplayFilterLayout.WordsPerBlock..]);
        ref int stripe = ref _stripes[(int)(hash >> 54) * StripeStride];
        if (!Acquire(ref stripe))
        {
            return true;
        }

        bool present = Contains(first, masks[..ReplayFilterLayout.WordsPerBlock]) && Contains(second, masks[ReplayFilterLayout.WordsPerBlock..]);
        Volatile.Write(ref stripe, Free);
        return present;
    }

    /// <summary>Writes the count into the header and msyncs the mapping (blocks until the pages are on disk).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FlushLocked();
        }
    }

    /// <summary>Closes the filter (after a final flush); the file stays for a restart.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _flushTimer?.Dispose();

        // Every access to the bits happens under a stripe lock, so once all stripes are closed no thread can
        // touch the mapping and it is safe to unmap.
        for (int i = 0; i < StripeCount; i++)
        {
            ref int stripe = ref _stripes[i * StripeStride];
            var spin = default(SpinWait);
            while (Interlocked.CompareExchange(ref stripe, Closed, Free) != Free)
            {
                spin.SpinOnce(-1);
            }
        }

        lock (_gate)
        {
            try
            {
                FlushLocked();
            }
            finally
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
                _view.Dispose();
                _file.Dispose();
            }
        }
    }

    /// <summary>Closes the filter and deletes its file: the mix key it guarded is retired.</summary>
    public void Discard()
    {
        Dispose();
        Delete(_path);
    }

    /// <summary>Deletes a filter file (and a creation leftover) if present.</summary>
    public static void Delete(string path)
    {
        File.Delete(path);
        File.Delete(path + ".tmp");
    }

    /// <summary>Header, then a sparse zero bit array; written under a temporary name and renamed, so a crash
    /// during creation never leaves a file with a valid name and an invalid header.</summary>
    private static void Create(string path, ReplayFilterLayout layout)
    {
        string temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        Span<byte> key = stackalloc byte[ReplayFilterHeader.KeyLength];
        RandomNumberGenerator.Fill(key);
        byte[] header = new byte[ReplayFilterHeader.Length];
        ReplayFilterHeader.Write(header, layout, key);
        CryptographicOperations.ZeroMemory(key);
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(header);
            stream.SetLength(ReplayFilterHeader.FileLength(layout));
            stream.Flush(flushToDisk: true);
        }

        CryptographicOperations.ZeroMemory(header);
        File.Move(temporary, path, overwrite: false);

        // The rename must be durable before the key's marker (written next, and itself flushed) says the filter exists:
        // after a power loss the marker without the file would keep the node from starting.
        Pki.DirectorySync.Flush(Path.GetDirectoryName(path)!);
    }

    private static bool Acquire(ref int stripe)
    {
        int previous = Interlocked.CompareExchange(ref stripe, Held, Free);
        if (previous == Free)
        {
            return true;
        }

        var spin = default(SpinWait);
        while (previous != Closed)
        {
            spin.SpinOnce(-1);
            previous = Interlocked.CompareExchange(ref stripe, Held, Free);
            if (previous == Free)
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Contains(ulong* block, ReadOnlySpan<ulong> masks)
    {
        for (int i = 0; i < ReplayFilterLayout.WordsPerBlock; i++)
        {
            if ((Volatile.Read(ref block[i]) & masks[i]) != masks[i])
            {
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Set(ulong* block, ReadOnlySpan<ulong> masks)
    {
        for (int i = 0; i < ReplayFilterLayout.WordsPerBlock; i++)
        {
            if (masks[i] != 0)
            {
                Interlocked.Or(ref block[i], masks[i]);
            }
        }
    }

    /// <summary>SplitMix64's output function: stretches the keyed hash into the block index and bit positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Picks a block (Lemire's multiply-shift range reduction) and the k bit masks within it.</summary>
    private ulong* Block(ref ulong state, Span<ulong> masks)
    {
        ulong index = Math.BigMul(Next(ref state), _blockCount, out _);
        masks.Clear();
        ulong random = 0;
        int left = 0;
        for (int i = 0; i < _k; i++)
        {
            if (left == 0)
            {
                random = Next(ref state);
                left = 7;
            }

            int bit = (int)(random & (ReplayFilterLayout.BlockBits - 1));
            random >>= 9;
            left--;
            masks[bit >> 6] |= 1UL << (bit & 63);
        }

        return _bits + (index * ReplayFilterLayout.WordsPerBlock);
    }

    private void TryFlushInBackground()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                FlushLocked();
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The bits are still in the page cache (a process crash loses nothing); only an OS crash before the
                // next successful flush could. Counted so the operator sees a failing disk, and retried next tick.
                FlushFailures++;
            }
        }

        _flushFailed?.Invoke();
    }

    private void FlushLocked()
    {
        Volatile.Write(ref *(ulong*)(_base + ReplayFilterHeader.CountOffset), (ulong)Volatile.Read(ref _count));
        _view.Flush();
    }
}
