using System.Runtime.Intrinsics;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>Spec §1/§2 known answers: GF(2^128) doubling and multiples, and the single AES round on both backends.</summary>
public sealed class AezPrimitiveTests
{
    private static Vector128<byte> Block(string hex) => Vector128.Create(Convert.FromHexString(hex));

    private static string Hex(Vector128<byte> v)
    {
        var b = new byte[16];
        v.CopyTo(b);
        return Convert.ToHexStringLower(b);
    }

    [Theory]
    [InlineData("80000000000000000000000000000000", "00000000000000000000000000000087")]
    [InlineData("00000000000000000000000000000001", "00000000000000000000000000000002")]
    [InlineData("ffffffffffffffffffffffffffffffff", "ffffffffffffffffffffffffffffff79")]
    [InlineData("00000000000000000100000000000000", "00000000000000000200000000000000")]
    [InlineData("00000000000000008000000000000000", "00000000000000010000000000000000")]
    public void Double_known_answers(string x, string expected) =>
        Assert.Equal(expected, Hex(AezBlock.Double(Block(x))));

    [Fact]
    public void Multiply_is_a_polynomial_product()
    {
        Assert.Equal("80000000000000000000000000000084", Hex(AezBlock.Multiply(3, Block("80000000000000000000000000000001"))));
        Vector128<byte> x = Block("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        Vector128<byte> x2 = AezBlock.Double(x), x4 = AezBlock.Double(x2), x8 = AezBlock.Double(x4);
        Assert.Equal(Vector128<byte>.Zero, AezBlock.Multiply(0, x));
        Assert.Equal(x, AezBlock.Multiply(1, x));
        Assert.Equal(x4 ^ x2, AezBlock.Multiply(6, x));
        Assert.Equal(x4 ^ x2 ^ x, AezBlock.Multiply(7, x));
        Assert.Equal(x8, AezBlock.Multiply(8, x));
        Assert.Equal(AezBlock.Double(x8) ^ x, AezBlock.Multiply(17, x));
        Assert.Equal(x8, AezBlock.DoubleTimes(x, 3));
    }

    [Theory]
    [InlineData("00000000000000000000000000000000", "00000000000000000000000000000000", "63636363636363636363636363636363")]
    [InlineData("000102030405060708090a0b0c0d0e0f", "00000000000000000000000000000000", "6a6a5c452c6d3351b0d95d61279c215c")]
    [InlineData("000102030405060708090a0b0c0d0e0f", "ffffffffffffffffffffffffffffffff", "9595a3bad392ccae4f26a29ed863dea3")]
    public void Aes_round_known_answers_on_both_backends(string state, string key, string expected)
    {
        Assert.Equal(expected, Hex(AezHardwareRound.Round(Block(state), Block(key))));
        Assert.Equal(expected, Hex(AezPortableRound.Round(Block(state), Block(key))));
    }

    [Fact]
    public void Portable_round_equals_AESENC_on_random_inputs()
    {
        var rng = new Random(2017);
        var s = new byte[16];
        var k = new byte[16];
        for (int n = 0; n < 10_000; n++)
        {
            rng.NextBytes(s);
            rng.NextBytes(k);
            Vector128<byte> state = Vector128.Create(s), key = Vector128.Create(k);
            Assert.Equal(AezHardwareRound.Round(state, key), AezPortableRound.Round(state, key));
        }
    }

    [Fact]
    public void Pad_applies_10_star_padding_after_length()
    {
        Vector128<byte> ff = Vector128.Create((byte)0xff);
        Assert.Equal("80000000000000000000000000000000", Hex(AezBlock.Pad(ff, 0)));
        Assert.Equal("ffffff80000000000000000000000000", Hex(AezBlock.Pad(ff, 3)));
        Assert.Equal("ffffffffffffffffffffffffffffff80", Hex(AezBlock.Pad(ff, 15)));
        Assert.Equal("abcd8000000000000000000000000000", Hex(AezBlock.LoadPadded(Convert.FromHexString("abcd"))));
        Assert.Equal("80000000000000000000000000000000", Hex(AezBlock.LoadPadded([])));
    }
}
