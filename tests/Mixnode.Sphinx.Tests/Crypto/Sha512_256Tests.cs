using System.Security.Cryptography;
using System.Text.Json;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>
/// .NET has no SHA-512/256, so beyond the FIPS 180-4 examples the expected values were produced offline
/// with Python's hashlib.new("sha512_256") (OpenSSL) and are hard-coded here.
/// </summary>
public class Sha512_256Tests
{
    private static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(i % 251)).ToArray();

    private static string Hash(ReadOnlySpan<byte> data)
    {
        var digest = new byte[Sha512_256.HashSize];
        Sha512_256.Hash(data, digest);
        return Convert.ToHexStringLower(digest);
    }

    [Fact]
    public void Fips180_4_abc()
    {
        Assert.Equal("53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23", Hash("abc"u8));
    }

    [Fact]
    public void Fips180_4_two_block_message()
    {
        var msg = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"u8;
        Assert.Equal(112, msg.Length);
        Assert.Equal("3928e184fb8690f840da3988121d31be65cb9d3ef83ee6146feac861e19b563a", Hash(msg));
    }

    [Theory]
    [InlineData(0, "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a")]
    [InlineData(1, "10baad1713566ac2333467bddb0597dec9066120dd72ac2dcb8394221dcbe43d")]
    [InlineData(111, "bd209f60b0d04102a09175297fd255367e54b5a5605b928635c606306914363f")]
    [InlineData(112, "2cafeb0882cc405167e9a255b8581a66dc683212474902dd453dbca20a94e61a")]
    [InlineData(127, "c26bc7e9315e62ab0dc6aeb577724d07c09b0c6fdfc0a9f08d8548047c032248")]
    [InlineData(128, "2ff11194b2aec1f943cb5f130ba647c151334068083194d7281a55d607ae255f")]
    [InlineData(129, "c4a3bbf841ed2a289e5109fb392229c80db61c72fd92079b5a4f0441f095a111")]
    [InlineData(239, "b81472d255d80182e196481e5866aa207761a152302a0237e242eb88c577a428")]
    [InlineData(240, "6ca13c55886b74a5ca2ac9782c4b9a49fe3aeeefdfc0cefc34984872fb4c54fd")]
    [InlineData(256, "0ea4199eb79185d8198973ee464a7e0eb26345b54b361ac6af8b1dc10d41911c")]
    [InlineData(300, "296e2706d6d2646addb595b869976cd56637b5e5150c60cf2d517574fdda6764")]
    public void Padding_boundaries_match_openssl(int length, string expected)
    {
        Assert.Equal(expected, Hash(Pattern(length)));
    }

    [Fact]
    public void Every_length_0_to_300_matches_openssl()
    {
        // SHA-256 over the concatenated SHA-512/256 digests of Pattern(0..300), computed with hashlib.
        var all = new byte[301 * 32];
        for (var n = 0; n <= 300; n++)
        {
            Sha512_256.Hash(Pattern(n), all.AsSpan(n * 32, 32));
        }

        Assert.Equal(
            "0fb3aedcec1f9e7ae30f2e75c516353b0d95d75f92459f17ece7b68e1169811d",
            Convert.ToHexStringLower(SHA256.HashData(all)));
    }

    [Fact]
    public void Million_a()
    {
        Assert.Equal(
            "9a59a052930187a97038cae692f30708aa6491923ef5194394dc68d56c74fb21",
            Hash(Enumerable.Repeat((byte)'a', 1_000_000).ToArray()));
    }

    [Fact]
    public void Katzenpost_kat()
    {
        using var doc = JsonDocument.Parse(VectorFiles.Read("sphinx/katzenpost_primitive_kats.json"));
        var kat = doc.RootElement.GetProperty("hash_sha512_256");
        var msg = Convert.FromHexString(kat.GetProperty("msg").GetString()!);
        Assert.Equal(kat.GetProperty("digest").GetString(), Hash(msg));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Wrong_digest_length_throws(int length)
    {
        Assert.Throws<ArgumentException>(() => Sha512_256.Hash("abc"u8, new byte[length]));
    }
}
