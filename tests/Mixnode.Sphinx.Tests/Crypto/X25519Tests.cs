using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

public sealed class X25519Tests
{
    public static TheoryData<string> BackendNames => new() { "openssl", "libsodium", "nsec" };

    /// <summary>Small-order points (libsodium's blacklist, RFC 7748 §7): 0, 1, the two order-8 points, p-1, p, p+1.</summary>
    public static TheoryData<string, string> LowOrderPoints
    {
        get
        {
            string[] points =
            [
                "0000000000000000000000000000000000000000000000000000000000000000",
                "0100000000000000000000000000000000000000000000000000000000000000",
                "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
                "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            ];
            var data = new TheoryData<string, string>();
            foreach (string backend in new[] { "openssl", "libsodium", "nsec" })
            {
                foreach (string point in points)
                {
                    data.Add(backend, point);
                    // The same point with the (ignored) top bit set.
                    byte[] high = Convert.FromHexString(point);
                    high[31] |= 0x80;
                    data.Add(backend, Convert.ToHexStringLower(high));
                }
            }

            return data;
        }
    }

    internal static X25519Backend BackendNamed(string name) => name switch
    {
        "openssl" => X25519OpenSslBackend.Instance,
        "libsodium" => X25519LibsodiumBackend.Instance,
        "nsec" => X25519NSecBackend.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    [Theory]
    [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d", "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493", "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    public void Rfc7748_5_2_vectors_default_backend(string scalar, string point, string expected)
    {
        var output = new byte[32];
        Assert.True(X25519.ScalarMult(Hex(scalar), Hex(point), output));
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Rfc7748_5_2_vectors_every_backend(string name)
    {
        X25519Backend backend = BackendNamed(name);
        var output = new byte[32];
        Assert.True(backend.ScalarMult(X25519KnownAnswers.Rfc7748Scalar1, X25519KnownAnswers.Rfc7748Point1, output));
        Assert.Equal(X25519KnownAnswers.Rfc7748Output1, output);
        Assert.True(backend.ScalarMult(X25519KnownAnswers.Rfc7748Scalar2, X25519KnownAnswers.Rfc7748Point2, output));
        Assert.Equal(X25519KnownAnswers.Rfc7748Output2, output);
        Assert.True(backend.SelfTest());
    }

    [Theory]
    [InlineData("openssl", 1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")]
    [InlineData("openssl", 1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")]
    [InlineData("libsodium", 1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")]
    [InlineData("libsodium", 1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")]
    [InlineData("nsec", 1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")]
    [InlineData("nsec", 1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")]
    public void Rfc7748_5_2_iterated(string name, int iterations, string expected)
    {
        X25519Backend backend = BackendNamed(name);
        var k = new byte[32];
        var u = new byte[32];
        var result = new byte[32];
        k[0] = 9;
        u[0] = 9;
        for (int i = 0; i < iterations; i++)
        {
            Assert.True(backend.ScalarMult(k, u, result));
            k.CopyTo(u);
            result.CopyTo(k);
        }

        Assert.Equal(expected, Convert.ToHexStringLower(k));
    }

    [Fact]
    public void Rfc7748_5_2_iterated_1000_public_api()
    {
        var k = new byte[32];
        var u = new byte[32];
        var result = new byte[32];
        k[0] = 9;
        u[0] = 9;
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(X25519.ScalarMult(k, u, result));
            k.CopyTo(u);
            result.CopyTo(k);
        }

        Assert.Equal("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", Convert.ToHexStringLower(k));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Rfc7748_6_1_diffie_hellman(string name)
    {
        X25519Backend backend = BackendNamed(name);
        var alicePublic = new byte[32];
        var bobPublic = new byte[32];
        backend.ScalarMultBase(X25519KnownAnswers.AlicePrivate, alicePublic);
        backend.ScalarMultBase(X25519KnownAnswers.BobPrivate, bobPublic);
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(alicePublic));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(bobPublic));

        var aliceShared = new byte[32];
        var bobShared = new byte[32];
        Assert.True(backend.ScalarMult(X25519KnownAnswers.AlicePrivate, bobPublic, aliceShared));
        Assert.True(backend.ScalarMult(X25519KnownAnswers.BobPrivate, alicePublic, bobShared));
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(aliceShared));
        Assert.Equal(aliceShared, bobShared);

        using var alice = new X25519PrivateKey(X25519KnownAnswers.AlicePrivate, backend);
        using var bob = new X25519PrivateKey(X25519KnownAnswers.BobPrivate, backend);
        Assert.Equal(alicePublic, alice.PublicKey.ToArray());
        Assert.Equal(bobPublic, bob.PublicKey.ToArray());
        var viaKey = new byte[32];
        Assert.True(alice.Agree(bob.PublicKey, viaKey));
        Assert.Equal(aliceShared, viaKey);
        Assert.True(bob.Agree(alice.PublicKey, viaKey));
        Assert.Equal(aliceShared, viaKey);
    }

    [Fact]
    public void Rfc7748_6_1_public_api()
    {
        var alicePublic = new byte[32];
        X25519.ScalarMultBase(X25519KnownAnswers.AlicePrivate, alicePublic);
        Assert.Equal(X25519KnownAnswers.AlicePublic, alicePublic);
        using var bob = new X25519PrivateKey(X25519KnownAnswers.BobPrivate);
        Assert.Equal(X25519KnownAnswers.BobPublic, bob.PublicKey.ToArray());
        var shared = new byte[32];
        Assert.True(bob.Agree(alicePublic, shared));
        Assert.Equal(X25519KnownAnswers.SharedSecret, shared);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_points_return_false_and_zero_output(string name, string point)
    {
        X25519Backend backend = BackendNamed(name);
        byte[] u = Hex(point);
        var output = new byte[32];
        Array.Fill(output, (byte)0xAA);
        Assert.False(backend.ScalarMult(X25519KnownAnswers.AlicePrivate, u, output));
        Assert.All(output, b => Assert.Equal(0, b));

        using var key = new X25519PrivateKey(X25519KnownAnswers.BobPrivate, backend);
        Array.Fill(output, (byte)0xAA);
        Assert.False(key.Agree(u, output));
        Assert.All(output, b => Assert.Equal(0, b));

        // The backend (and the key's per-thread state) still works after a failure.
        Assert.True(key.Agree(X25519KnownAnswers.AlicePublic, output));
        Assert.Equal(X25519KnownAnswers.SharedSecret, output);
        Assert.True(backend.ScalarMult(X25519KnownAnswers.Rfc7748Scalar1, X25519KnownAnswers.Rfc7748Point1, output));
        Assert.Equal(X25519KnownAnswers.Rfc7748Output1, output);
    }

    [Fact]
    public void Low_order_point_public_api()
    {
        var output = new byte[32];
        Array.Fill(output, (byte)0xAA);
        Assert.False(X25519.ScalarMult(X25519KnownAnswers.AlicePrivate, new byte[32], output));
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Backend_is_openssl_here_unless_forced()
    {
        string? forced = Environment.GetEnvironmentVariable(X25519.BackendEnvironmentVariable);
        Assert.Equal(string.IsNullOrEmpty(forced) ? "openssl" : forced.Trim().ToLowerInvariant(), X25519.BackendName);
    }

    [Fact]
    public void Backend_selection_honours_the_override()
    {
        Assert.Equal("openssl", X25519.SelectBackend(null).Name);
        Assert.Equal("openssl", X25519.SelectBackend("").Name);
        Assert.Equal("openssl", X25519.SelectBackend("OpenSSL").Name);
        Assert.Equal("libsodium", X25519.SelectBackend("libsodium").Name);
        Assert.Throws<InvalidOperationException>(() => X25519.SelectBackend("nsec"));
        Assert.Throws<InvalidOperationException>(() => X25519.SelectBackend("donna"));
    }

    [Fact]
    public void Wrong_lengths_throw_ArgumentException()
    {
        var b32 = new byte[32];
        Assert.Throws<ArgumentException>(() => X25519.ScalarMult(new byte[31], b32, new byte[32]));
        Assert.Throws<ArgumentException>(() => X25519.ScalarMult(b32, new byte[33], new byte[32]));
        Assert.Throws<ArgumentException>(() => X25519.ScalarMult(b32, b32, new byte[64]));
        Assert.Throws<ArgumentException>(() => X25519.ScalarMultBase(new byte[0], new byte[32]));
        Assert.Throws<ArgumentException>(() => X25519.ScalarMultBase(b32, new byte[31]));
        Assert.Throws<ArgumentException>(() => new X25519PrivateKey(new byte[16]));
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        Assert.Throws<ArgumentException>(() => key.Agree(new byte[31], new byte[32]));
        Assert.Throws<ArgumentException>(() => key.Agree(b32, new byte[16]));
        Assert.Throws<ArgumentException>(() => key.ExportPrivateKey(new byte[33]));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void PrivateKey_agree_equals_ScalarMult_and_exports(string name)
    {
        X25519Backend backend = BackendNamed(name);
        byte[] scalar = RandomNumberGenerator.GetBytes(32);
        using var key = new X25519PrivateKey(scalar, backend);

        var exported = new byte[32];
        key.ExportPrivateKey(exported);
        Assert.Equal(scalar, exported);

        var expectedPublic = new byte[32];
        X25519.ScalarMultBase(scalar, expectedPublic);
        Assert.Equal(expectedPublic, key.PublicKey.ToArray());

        var expected = new byte[32];
        var actual = new byte[32];
        for (int i = 0; i < 20; i++)
        {
            byte[] point = RandomNumberGenerator.GetBytes(32); // any 32 bytes are a valid u (curve or twist)
            Assert.Equal(X25519.ScalarMult(scalar, point, expected), key.Agree(point, actual));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Generate_makes_distinct_working_keys()
    {
        using X25519PrivateKey a = X25519PrivateKey.Generate();
        using X25519PrivateKey b = X25519PrivateKey.Generate();
        Assert.NotEqual(a.PublicKey.ToArray(), b.PublicKey.ToArray());
        var ab = new byte[32];
        var ba = new byte[32];
        Assert.True(a.Agree(b.PublicKey, ab));
        Assert.True(b.Agree(a.PublicKey, ba));
        Assert.Equal(ab, ba);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Disposed_key_throws_ObjectDisposedException(string name)
    {
        var key = new X25519PrivateKey(X25519KnownAnswers.AlicePrivate, BackendNamed(name));
        key.Dispose();
        key.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => key.Agree(X25519KnownAnswers.BobPublic, new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => key.ExportPrivateKey(new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => _ = key.PublicKey.Length);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Concurrent_agreements_with_one_key_are_all_correct(string name)
    {
        X25519Backend backend = BackendNamed(name);
        byte[] scalar = RandomNumberGenerator.GetBytes(32);
        const int Threads = 4;
        const int PerThread = 200;
        byte[][] points = new byte[Threads * PerThread][];
        byte[][] expected = new byte[points.Length][];
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = RandomNumberGenerator.GetBytes(32);
            expected[i] = new byte[32];
            X25519LibsodiumBackend.Instance.ScalarMult(scalar, points[i], expected[i]);
        }

        using var key = new X25519PrivateKey(scalar, backend);
        int wrong = 0;
        using var start = new Barrier(Threads);
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int first = t * PerThread;
            threads[t] = new Thread(() =>
            {
                var output = new byte[32];
                start.SignalAndWait();
                for (int i = first; i < first + PerThread; i++)
                {
                    key.Agree(points[i], output);
                    if (!output.AsSpan().SequenceEqual(expected[i]))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Concurrent_ScalarMult_on_many_threads_is_correct()
    {
        byte[][] scalars = Enumerable.Range(0, 64).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        byte[][] points = Enumerable.Range(0, 64).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        int wrong = 0;
        Parallel.For(0, 256, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var actual = new byte[32];
            var reference = new byte[32];
            X25519.ScalarMult(scalars[i % 64], points[i % 64], actual);
            X25519LibsodiumBackend.Instance.ScalarMult(scalars[i % 64], points[i % 64], reference);
            if (!actual.AsSpan().SequenceEqual(reference))
            {
                Interlocked.Increment(ref wrong);
            }
        });
        Assert.Equal(0, wrong);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Dispose_while_agreeing_on_other_threads_is_safe(string name)
    {
        X25519Backend backend = BackendNamed(name);
        var key = new X25519PrivateKey(X25519KnownAnswers.BobPrivate, backend);
        int wrong = 0;
        int agreed = 0;
        var threads = new Thread[3];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                var output = new byte[32];
                try
                {
                    while (true)
                    {
                        key.Agree(X25519KnownAnswers.AlicePublic, output);
                        if (!output.AsSpan().SequenceEqual(X25519KnownAnswers.SharedSecret))
                        {
                            Interlocked.Increment(ref wrong);
                        }

                        Interlocked.Increment(ref agreed);
                    }
                }
                catch (ObjectDisposedException)
                {
                }
            });
            threads[t].Start();
        }

        SpinWait.SpinUntil(() => Volatile.Read(ref agreed) >= 30);
        key.Dispose();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, wrong);
    }

    [Theory]
    [InlineData("openssl")]
    [InlineData("libsodium")]
    public void Steady_state_is_allocation_free(string name)
    {
        X25519Backend backend = BackendNamed(name);
        using var key = new X25519PrivateKey(X25519KnownAnswers.BobPrivate, backend);
        var output = new byte[32];
        byte[] scalar = X25519KnownAnswers.AlicePrivate;
        byte[] point = X25519KnownAnswers.BobPublic;
        backend.ScalarMult(scalar, point, output);
        key.Agree(point, output);
        X25519.ScalarMult(scalar, point, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            backend.ScalarMult(scalar, point, output);
            key.Agree(point, output);
            X25519.ScalarMult(scalar, point, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Property(MaxTest = 100)]
    public Property Diffie_hellman_commutes_and_backends_agree()
    {
        Gen<byte[]> scalar = ArbMap.Default.GeneratorFor<byte>().ArrayOf(32);
        return Prop.ForAll(Arb.From(Gen.Two(scalar)), pair =>
        {
            (byte[] a, byte[] b) = pair;
            byte[]? reference = null;
            foreach (string name in new[] { "openssl", "libsodium", "nsec" })
            {
                X25519Backend backend = BackendNamed(name);
                var publicA = new byte[32];
                var publicB = new byte[32];
                var ab = new byte[32];
                var ba = new byte[32];
                backend.ScalarMultBase(a, publicA);
                backend.ScalarMultBase(b, publicB);
                if (!backend.ScalarMult(a, publicB, ab) || !backend.ScalarMult(b, publicA, ba) || !ab.AsSpan().SequenceEqual(ba))
                {
                    return false;
                }

                reference ??= ab;
                if (!reference.AsSpan().SequenceEqual(ab))
                {
                    return false;
                }
            }

            return true;
        });
    }
}
