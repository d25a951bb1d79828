using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>Argument checks, overlap handling, AD/tau edge cases and the zero-allocation promise of the public API.</summary>
public sealed class AezApiTests
{
    private static readonly byte[] Key = Enumerable.Range(0, Aez.KeySize).Select(i => (byte)(i * 7 + 1)).ToArray();
    private static readonly byte[] Nonce = Enumerable.Range(0, Aez.NonceSize).Select(i => (byte)(255 - i)).ToArray();

    [Fact]
    public void Profile_rejects_wrong_sizes()
    {
        var buffer = new byte[64];
        Assert.Throws<ArgumentException>("key", () => Aez.Encrypt(new byte[47], Nonce, buffer, buffer));
        Assert.Throws<ArgumentException>("key", () => Aez.Decrypt(new byte[49], Nonce, buffer, buffer));
        Assert.Throws<ArgumentException>("nonce", () => Aez.Encrypt(Key, new byte[15], buffer, buffer));
        Assert.Throws<ArgumentException>("nonce", () => Aez.Decrypt(Key, new byte[17], buffer, buffer));
        Assert.Throws<ArgumentException>("output", () => Aez.Encrypt(Key, Nonce, buffer, new byte[63]));
        Assert.Throws<ArgumentException>("output", () => Aez.Decrypt(Key, Nonce, buffer, new byte[65]));
    }

    [Fact]
    public void Empty_message_maps_to_empty()
    {
        Aez.Encrypt(Key, Nonce, [], []);
        Aez.Decrypt(Key, Nonce, [], []);
        Assert.Empty(Aez.Encrypt(Key, Nonce, null, 0, []));
        Assert.True(Aez.TryDecrypt(Key, Nonce, null, 0, [], out byte[]? m));
        Assert.Empty(m);
    }

    [Theory]
    [InlineData(20, 1)]
    [InlineData(100, 1)]
    [InlineData(100, -1)]
    [InlineData(2606, 5)]
    [InlineData(2606, -40)]
    public void Partially_overlapping_spans_give_the_out_of_place_result(int length, int shift)
    {
        var rng = new Random(length + shift);
        byte[] message = new byte[length];
        rng.NextBytes(message);
        byte[] expected = new byte[length];
        Aez.Encrypt(Key, Nonce, message, expected);

        int pad = Math.Abs(shift);
        byte[] buffer = new byte[length + pad];
        int inputAt = shift > 0 ? 0 : pad, outputAt = shift > 0 ? pad : 0;
        message.CopyTo(buffer, inputAt);
        Aez.Encrypt(Key, Nonce, buffer.AsSpan(inputAt, length), buffer.AsSpan(outputAt, length));
        Assert.Equal(expected, buffer.AsSpan(outputAt, length).ToArray());
    }

    [Fact]
    public void Absent_AD_differs_from_one_empty_AD_string()
    {
        byte[] m = new byte[40];
        byte[] none = Aez.Encrypt(Key, Nonce, null, 0, m);
        Assert.Equal(none, Aez.Encrypt(Key, Nonce, [], 0, m));
        Assert.NotEqual(none, Aez.Encrypt(Key, Nonce, [[]], 0, m));
        Assert.False(Aez.TryDecrypt(Key, Nonce, [[]], 16, Aez.Encrypt(Key, Nonce, null, 16, m), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(31)]
    [InlineData(200)]
    public void Tau_authenticates_and_rejects_forgeries(int length)
    {
        byte[] m = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        byte[][] ad = [[1, 2, 3], []];
        byte[] c = Aez.Encrypt(Key, Nonce, ad, 16, m);
        Assert.Equal(length + 16, c.Length);
        Assert.True(Aez.TryDecrypt(Key, Nonce, ad, 16, c, out byte[]? back));
        Assert.Equal(m, back);

        for (int bit = 0; bit < c.Length * 8; bit += 7)
        {
            byte[] forged = (byte[])c.Clone();
            forged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Aez.TryDecrypt(Key, Nonce, ad, 16, forged, out byte[]? none));
            Assert.Null(none);
        }

        Assert.False(Aez.TryDecrypt(Key, Nonce, ad, 16, c.AsSpan(0, 15), out _)); // shorter than tau
        Assert.False(Aez.TryDecrypt(Key, new byte[16], ad, 16, c, out _)); // wrong nonce
    }

    [Fact]
    public void General_API_rejects_negative_tau_and_null_AD_elements()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Aez.Encrypt(Key, Nonce, null, -1, [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aez.TryDecrypt(Key, Nonce, null, -1, [1], out _));
        Assert.Throws<ArgumentException>(() => Aez.Encrypt(Key, Nonce, [null!], 0, [1]));
    }

    [Fact]
    public void Profile_encrypt_and_decrypt_allocate_nothing()
    {
        byte[] packet = new byte[2606];
        new Random(1).NextBytes(packet);
        for (int warm = 0; warm < 100; warm++)
        {
            Aez.Encrypt(Key, Nonce, packet, packet);
            Aez.Decrypt(Key, Nonce, packet, packet);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int n = 0; n < 1000; n++)
        {
            Aez.Encrypt(Key, Nonce, packet, packet);
            Aez.Decrypt(Key, Nonce, packet, packet.AsSpan());
            Aez.Encrypt(Key, Nonce, packet.AsSpan(0, 20), packet.AsSpan(0, 20));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
