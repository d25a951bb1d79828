using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mixnode.Node.Mixing;

/// <summary>
/// Shuffle randomness from the operating system's CSPRNG. One <see cref="RandomNumberGenerator.Fill"/> call serves 64
/// draws, so the call's fixed cost is not paid per packet; the buffer is per thread, so concurrent mixers need no lock. Bounded draws use Lemire's multiply-shift with rejection: exactly uniform.
/// </summary>
internal sealed class CsprngShuffleRandom : IShuffleRandom
{
    private const int BufferWords = 64;

    [ThreadStatic]
    private static ulong[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    public static CsprngShuffleRandom Instance { get; } = new();

    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        uint range = (uint)exclusiveMax;
        ulong product = (ulong)NextUInt32() * range;
        uint low = (uint)product;
        if (low < range)
        {
            // Reject the few values that would make some results more likely than others.
            uint threshold = (uint)(-range) % range;
            while (low < threshold)
            {
                product = (ulong)NextUInt32() * range;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }

    private static uint NextUInt32()
    {
        ulong[] buffer = t_buffer ??= new ulong[BufferWords / 2];
        int next = t_next;
        if (next == 0 || next >= BufferWords)
        {
            RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(buffer.AsSpan()));
            next = 0;
        }

        uint value = MemoryMarshal.Cast<ulong, uint>(buffer.AsSpan())[next];
        t_next = next + 1;
        return value;
    }
}
