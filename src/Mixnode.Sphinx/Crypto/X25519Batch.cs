using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// Up to eight X25519 scalar multiplications in one call, on AVX-512 IFMA (<c>Native/x25519_mb8.c</c>, built into
/// <c>libmixnode_x25519.so</c> beside the assemblies when gcc is present). One call costs about two scalar X25519,
/// so it pays from two lanes on: a node with packets waiting unwraps up to eight at a time
/// (<see cref="SphinxUnwrapper.UnwrapBatch"/>). Absent when the library was not built, the CPU lacks AVX-512 IFMA,
/// the RFC 7748 self-test fails, or <c>MIXNODE_X25519_BATCH=off</c>; callers then use <see cref="X25519"/> per value.
/// </summary>
internal static unsafe class X25519Batch
{
    public const int Lanes = 8;

    /// <summary>The environment variable that turns the batch path off ("off"), e.g. to compare.</summary>
    public const string EnvironmentVariable = "MIXNODE_X25519_BATCH";

    private const string LibraryFile = "libmixnode_x25519.so";

    private static readonly delegate* unmanaged<byte*, byte*, byte*, int, int> s_mb8 = Load(out s_status, out s_residue);
    private static readonly string s_status;
    private static readonly delegate* unmanaged<byte*, byte*, byte*, int, ulong*, int> s_residue;

    public static bool IsAvailable => s_mb8 != null;

    /// <summary>"avx512ifma x8", or why the batch path is off (for start-up logs and bench output).</summary>
    public static string Status => s_status;

    /// <summary>
    /// outputs[32 i..] = X25519(scalars[32 i..], points[32 i..]) for i below <paramref name="count"/> (1..8), with
    /// clamping and the top bit of u ignored, as <see cref="X25519.ScalarMult"/>. Returns a bit mask of the lanes
    /// whose result is all zero (low-order points), whose output is then all zero. Only when <see cref="IsAvailable"/>.
    /// </summary>
    public static int ScalarMult(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> outputs, int count)
    {
        if (s_mb8 == null)
        {
            throw new InvalidOperationException($"the batch X25519 is not available: {s_status}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Lanes);
        int bytes = count * X25519.PointSize;
        X25519.CheckLength(Math.Min(scalars.Length, bytes), bytes, nameof(scalars));
        X25519.CheckLength(Math.Min(points.Length, bytes), bytes, nameof(points));
        X25519.CheckLength(Math.Min(outputs.Length, bytes), bytes, nameof(outputs));
        fixed (byte* s = scalars)
        fixed (byte* p = points)
        fixed (byte* o = outputs)
        {
            return s_mb8(o, s, p, count);
        }
    }

    /// <summary>
    /// Test aid: runs <see cref="ScalarMult"/> on a zeroed stack and reports what it left behind: the number of
    /// nonzero 8-byte words on the 16 KiB of stack below the caller (return addresses and saved registers among
    /// them: a few words, against hundreds of spilled ladder values without the wipe) and, in
    /// <paramref name="vectorRegisters"/>, a bit per zmm register still nonzero. Only when <see cref="IsAvailable"/>.
    /// </summary>
    internal static int MeasureResidue(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> points, Span<byte> outputs, int count, out ulong vectorRegisters)
    {
        if (s_residue == null)
        {
            throw new InvalidOperationException($"the batch X25519 is not available: {s_status}");
        }

        int bytes = count * X25519.PointSize;
        X25519.CheckLength(Math.Min(scalars.Length, bytes), bytes, nameof(scalars));
        X25519.CheckLength(Math.Min(points.Length, bytes), bytes, nameof(points));
        X25519.CheckLength(Math.Min(outputs.Length, bytes), bytes, nameof(outputs));
        ulong registers = 0;
        int words;
        fixed (byte* s = scalars)
        fixed (byte* p = points)
        fixed (byte* o = outputs)
        {
            words = s_residue(o, s, p, count, &registers);
        }

        vectorRegisters = registers;
        return words;
    }

    private static delegate* unmanaged<byte*, byte*, byte*, int, int> Load(out string status, out delegate* unmanaged<byte*, byte*, byte*, int, ulong*, int> residue)
    {
        residue = null;
        if (string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim(), "off", StringComparison.OrdinalIgnoreCase))
        {
            status = $"off ({EnvironmentVariable}=off)";
            return null;
        }

        if (!NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, LibraryFile), out IntPtr library)
            && !NativeLibrary.TryLoad(Path.Combine(Path.GetDirectoryName(typeof(X25519Batch).Assembly.Location) ?? ".", LibraryFile), out library))
        {
            status = $"off ({LibraryFile} not built: gcc was missing at build time, or not Linux x64)";
            return null;
        }

        if (!NativeLibrary.TryGetExport(library, "mixnode_x25519_mb8_supported", out IntPtr supported)
            || !NativeLibrary.TryGetExport(library, "mixnode_x25519_mb8", out IntPtr mb8))
        {
            status = $"off ({LibraryFile} lacks its exports)";
            return null;
        }

        if (((delegate* unmanaged<int>)supported)() == 0)
        {
            status = "off (this CPU lacks AVX-512 IFMA)";
            return null;
        }

        var function = (delegate* unmanaged<byte*, byte*, byte*, int, int>)mb8;
        if (!SelfTest(function))
        {
            status = "off (failed its RFC 7748 self-test)";
            return null;
        }

        status = "avx512ifma x8";
        residue = NativeLibrary.TryGetExport(library, "mixnode_x25519_mb8_residue", out IntPtr probe)
            ? (delegate* unmanaged<byte*, byte*, byte*, int, ulong*, int>)probe
            : null;
        return function;
    }

    /// <summary>RFC 7748 §5.2's two vectors in lanes 0 and 1, a low-order point in lane 2.</summary>
    private static bool SelfTest(delegate* unmanaged<byte*, byte*, byte*, int, int> mb8)
    {
        Span<byte> scalars = stackalloc byte[3 * X25519.PointSize];
        Span<byte> points = stackalloc byte[3 * X25519.PointSize];
        Span<byte> outputs = stackalloc byte[3 * X25519.PointSize];
        X25519KnownAnswers.Rfc7748Scalar1.CopyTo(scalars);
        X25519KnownAnswers.Rfc7748Scalar2.CopyTo(scalars[32..]);
        X25519KnownAnswers.Rfc7748Scalar1.CopyTo(scalars[64..]);
        X25519KnownAnswers.Rfc7748Point1.CopyTo(points);
        X25519KnownAnswers.Rfc7748Point2.CopyTo(points[32..]);
        points[64..].Clear();
        int lowOrder;
        fixed (byte* s = scalars)
        fixed (byte* p = points)
        fixed (byte* o = outputs)
        {
            lowOrder = mb8(o, s, p, 3);
        }

        bool ok = lowOrder == 0b100
            && outputs[..32].SequenceEqual(X25519KnownAnswers.Rfc7748Output1)
            && outputs[32..64].SequenceEqual(X25519KnownAnswers.Rfc7748Output2);
        CryptographicOperations.ZeroMemory(outputs);
        return ok;
    }
}
