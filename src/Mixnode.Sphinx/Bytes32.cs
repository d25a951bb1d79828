using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mixnode.Sphinx;

/// <summary>
/// 32 bytes held inline (node ids, MACs, replay tags), so parsed packet data can be returned by value
/// without a heap allocation per packet.
/// </summary>
[InlineArray(Size)]
public struct Bytes32 : IEquatable<Bytes32>
{
    public const int Size = 32;

    private byte _first;

    public static Bytes32 From(ReadOnlySpan<byte> source)
    {
        if (source.Length != Size)
        {
            throw new ArgumentException($"expected {Size} bytes, got {source.Length}", nameof(source));
        }

        Bytes32 result = default;
        source.CopyTo(result);
        return result;
    }

    /// <summary>
    /// The bytes in place. <see cref="UnscopedRefAttribute"/> lets the compiler check what the span may outlive: a
    /// span of a temporary copy (a property's value) cannot escape the statement that made it.
    /// </summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> AsReadOnlySpan() => MemoryMarshal.CreateReadOnlySpan(in _first, Size);

    public readonly bool Equals(Bytes32 other) => AsReadOnlySpan().SequenceEqual(other.AsReadOnlySpan());

    public override readonly bool Equals(object? obj) => obj is Bytes32 other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(AsReadOnlySpan());
        return hash.ToHashCode();
    }

    public override readonly string ToString() => Convert.ToHexStringLower(AsReadOnlySpan());

    public static bool operator ==(Bytes32 left, Bytes32 right) => left.Equals(right);

    public static bool operator !=(Bytes32 left, Bytes32 right) => !left.Equals(right);
}
