using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>The eight-lane AVX-512 IFMA X25519 against OpenSSL's, lane by lane, including the inputs that are easy to get wrong.</summary>
public sealed class X25519BatchTests
{
    [Fact]
    public void Is_built_and_used_on_a_machine_that_can_run_it()
    {
        // On CI (Linux x64 with gcc) a CPU with IFMA must get the fast path: a silent fallback would go unnoticed.
        bool cpuHasIfma = File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains(" avx512ifma", StringComparison.Ordinal);
        bool disabled = Environment.GetEnvironmentVariable(X25519Batch.EnvironmentVariable) is "off";
        Assert.Equal(cpuHasIfma && !disabled && OperatingSystem.IsLinux(), X25519Batch.IsAvailable);
        Assert.Equal(X25519Batch.IsAvailable, SphinxUnwrapper.BatchAccelerated);
        Assert.False(string.IsNullOrEmpty(SphinxUnwrapper.BatchStatus));
    }

    [Fact]
    public void Rfc7748_iterated_1000_times_in_every_lane()
    {
        if (!X25519Batch.IsAvailable)
        {
            return; // nothing to check: Is_built_and_used_on_a_machine_that_can_run_it says whether that is right
        }

        // RFC 7748 §5.2: k = u = 9; repeat k, u = X25519(k, u), k. Each lane starts one step later, so lanes differ.
        var k = new byte[8 * 32];
        var u = new byte[8 * 32];
        var output = new byte[8 * 32];
        for (int lane = 0; lane < 8; lane++)
        {
            k[lane * 32] = 9;
            u[lane * 32] = 9;
        }

        for (int i = 0; i < 1000; i++)
        {
            X25519Batch.ScalarMult(k, u, output, 8);
            k.CopyTo(u, 0);
            output.CopyTo(k, 0);
        }

        for (int lane = 0; lane < 8; lane++)
        {
            Assert.Equal("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", Convert.ToHexStringLower(k.AsSpan(lane * 32, 32)));
        }
    }

    public static TheoryData<string> EdgePoints() => new()
    {
        "0000000000000000000000000000000000000000000000000000000000000000", // low order
        "0100000000000000000000000000000000000000000000000000000000000000", // low order
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p - 1, low order
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p: non-canonical 0
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p + 1: non-canonical 1
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // 2^256 - 1: top bit ignored, non-canonical
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
        "0900000000000000000000000000000000000000000000000000000000000000", // the base point
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // 2^255 - 1
    };

    [Theory]
    [MemberData(nameof(EdgePoints))]
    public void Edge_points_match_openssl_in_every_lane_position(string point)
    {
        if (!X25519Batch.IsAvailable)
        {
            return;
        }

        byte[] u = Convert.FromHexString(point);
        for (int count = 1; count <= 8; count++)
        {
            var scalars = new byte[count * 32];
            var points = new byte[count * 32];
            Random.Shared.NextBytes(scalars);
            Random.Shared.NextBytes(points);
            int at = count - 1;
            u.CopyTo(points, at * 32);
            AssertMatchesOpenSsl(scalars, points, count);
        }
    }

    [Property(MaxTest = 200)]
    public Property Every_lane_equals_openssl_for_random_inputs()
    {
        Gen<(int, byte[], byte[])> inputs =
            from count in Gen.Choose(1, 8)
            from scalars in ArbMap.Default.GeneratorFor<byte>().ArrayOf(count * 32)
            from points in ArbMap.Default.GeneratorFor<byte>().ArrayOf(count * 32)
            select (count, scalars, points);
        return Prop.ForAll(Arb.From(inputs), input =>
        {
            if (!X25519Batch.IsAvailable)
            {
                return;
            }

            (int count, byte[] scalars, byte[] points) = input;
            AssertMatchesOpenSsl(scalars, points, count);
        });
    }

    [Fact]
    public void Bad_counts_and_short_buffers_are_refused()
    {
        if (!X25519Batch.IsAvailable)
        {
            Assert.Throws<InvalidOperationException>(() => X25519Batch.ScalarMult(new byte[32], new byte[32], new byte[32], 1));
            return;
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => X25519Batch.ScalarMult(new byte[32], new byte[32], new byte[32], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => X25519Batch.ScalarMult(new byte[9 * 32], new byte[9 * 32], new byte[9 * 32], 9));
        Assert.Throws<ArgumentException>(() => X25519Batch.ScalarMult(new byte[64], new byte[63], new byte[64], 2));
        Assert.Throws<ArgumentException>(() => X25519Batch.ScalarMult(new byte[64], new byte[64], new byte[32], 2));
    }

    [Fact]
    public void Private_key_batch_agreement_equals_agree()
    {
        if (!X25519Batch.IsAvailable)
        {
            return;
        }

        using X25519PrivateKey key = X25519PrivateKey.Generate();
        var points = new byte[5 * 32];
        for (int i = 0; i < 5; i++)
        {
            X25519.ScalarMultBase(RandomBytes(32), points.AsSpan(i * 32, 32));
        }

        new byte[32].CopyTo(points, 3 * 32); // a low-order lane
        var secrets = new byte[5 * 32];
        Assert.Equal(1 << 3, key.AgreeBatch(points, secrets, 5));
        var expected = new byte[32];
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(i != 3, key.Agree(points.AsSpan(i * 32, 32), expected));
            Assert.Equal(expected, secrets.AsSpan(i * 32, 32).ToArray());
        }
    }

    [Fact]
    public void Leaves_no_ladder_state_on_the_stack_or_in_vector_registers()
    {
        if (!X25519Batch.IsAvailable)
        {
            return; // nothing to check: Is_built_and_used_on_a_machine_that_can_run_it says whether that is right
        }

        byte[] scalars = RandomBytes(8 * 32);
        byte[] points = RandomBytes(8 * 32);
        var outputs = new byte[8 * 32];
        int words = X25519Batch.MeasureResidue(scalars, points, outputs, 8, out ulong vectorRegisters);

        // The ladder's frame is ~6 KiB of spilled field elements; what may remain is the handful of return addresses
        // and saved registers of the calls around it.
        Assert.True(words <= 16 && vectorRegisters == 0,
            $"{words} nonzero stack words left (at most 16 expected), nonzero zmm registers {vectorRegisters:x8} (none expected)");
        AssertMatchesOpenSsl(scalars, points, 8);
    }

    private static void AssertMatchesOpenSsl(byte[] scalars, byte[] points, int count)
    {
        var outputs = new byte[count * 32];
        int lowOrder = X25519Batch.ScalarMult(scalars, points, outputs, count);
        var expected = new byte[32];
        for (int lane = 0; lane < count; lane++)
        {
            bool ok = X25519.ScalarMult(scalars.AsSpan(lane * 32, 32), points.AsSpan(lane * 32, 32), expected);
            Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(outputs.AsSpan(lane * 32, 32)));
            Assert.Equal(!ok, (lowOrder & (1 << lane)) != 0);
        }

        Assert.Equal(0, lowOrder >> count);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
