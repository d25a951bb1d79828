using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mixnode.Sphinx;

/// <summary>16 bytes held inline (SURB ids), returned by value without a heap allocation.</summary>
[InlineArray(Size)]
public struct Bytes16 : IEquatable<Bytes16>
{
    public const int Size = 16;

    private byte _first;

    public static Bytes16 From(ReadOnlySpan<byte> source)
    {
        if (source.Length != Size)
        {
            throw new ArgumentException($"expected {Size} bytes, got {source.Length}", nameof(source));
        }

        Bytes16 result = default;
        source.CopyTo(result);
        return result;
    }

    public readonly ReadOnlySpan<byte> AsReadOnlySpan() =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _first), Size);

    public readonly bool Equals(Bytes16 other) => AsReadOnlySpan().SequenceEqual(other.AsReadOnlySpan());

    public override readonly bool Equals(object? obj) => obj is Bytes16 other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(AsReadOnlySpan());
        return hash.ToHashCode();
    }

    public override readonly string ToString() => Convert.ToHexStringLower(AsReadOnlySpan());

    public static bool operator ==(Bytes16 left, Bytes16 right) => left.Equals(right);

    public static bool operator !=(Bytes16 left, Bytes16 right) => !left.Equals(right);
}
