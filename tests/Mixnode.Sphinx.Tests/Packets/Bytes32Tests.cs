using Mixnode.Sphinx;

namespace Mixnode.Sphinx.Tests.Packets;

public sealed class Bytes32Tests
{
    [Fact]
    public void Spans_of_two_temporary_copies_in_one_call_see_their_own_bytes()
    {
        // A property returns a copy; a span of it must stay valid for the whole call it is passed to, and two such
        // spans must not share storage (the compiler checks this through [UnscopedRef] on AsReadOnlySpan).
        var holder = new Holder();
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal((1 * 32) + (2 * 32 * 256), Weigh(holder.First.AsReadOnlySpan(), holder.Second.AsReadOnlySpan()));
        }
    }

    [Fact]
    public void Equal_bytes_are_equal_values()
    {
        Bytes32 a = Filled(7);
        Bytes32 b = Filled(7);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.NotEqual(a, Filled(8));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(new string('0', 1) + "7" + string.Concat(Enumerable.Repeat("07", 31)), a.ToString());
    }

    private static int Weigh(ReadOnlySpan<byte> low, ReadOnlySpan<byte> high)
    {
        int sum = 0;
        foreach (byte b in low)
        {
            sum += b;
        }

        foreach (byte b in high)
        {
            sum += b * 256;
        }

        return sum;
    }

    private static Bytes32 Filled(byte value)
    {
        Span<byte> bytes = stackalloc byte[Bytes32.Size];
        bytes.Fill(value);
        return Bytes32.From(bytes);
    }

    private sealed class Holder
    {
        public Bytes32 First => Filled(1);

        public Bytes32 Second => Filled(2);
    }
}
