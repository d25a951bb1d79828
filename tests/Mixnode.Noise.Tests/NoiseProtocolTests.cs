namespace Mixnode.Noise.Tests;

/// <summary>Protocol names: every supported combination parses; unsupported ones say so; malformed ones are told apart.</summary>
public sealed class NoiseProtocolTests
{
    [Fact]
    public void The_link_protocol_parses_into_its_parts()
    {
        NoiseProtocol p = NoiseProtocol.XX25519ChaChaPolyBlake2b;
        Assert.Equal("Noise_XX_25519_ChaChaPoly_BLAKE2b", p.Name);
        Assert.Same(HandshakePattern.XX, p.Pattern);
        Assert.Equal(NoiseDhFunction.Curve25519, p.Dh);
        Assert.Equal(NoiseCipherFunction.ChaChaPoly, p.Cipher);
        Assert.Equal(NoiseHashFunction.Blake2b, p.Hash);
    }

    [Fact]
    public void All_15_fundamental_patterns_with_every_cipher_and_hash_parse()
    {
        Assert.Equal(15, HandshakePattern.All.Count);
        foreach (HandshakePattern pattern in HandshakePattern.All)
        {
            foreach (string cipher in new[] { "ChaChaPoly", "AESGCM" })
            {
                foreach (string hash in new[] { "SHA256", "SHA512", "BLAKE2b" })
                {
                    Assert.True(NoiseProtocol.TryParse($"Noise_{pattern.Name}_25519_{cipher}_{hash}", out NoiseProtocol? p));
                    Assert.Same(pattern, p.Pattern);
                }
            }
        }

        Assert.Equal(3, HandshakePattern.All.Count(p => p.IsOneWay));
    }

    [Theory]
    [InlineData("Noise_XX_448_ChaChaPoly_BLAKE2b", "448")]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2s", "BLAKE2s")]
    [InlineData("Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b", "psk3")]
    [InlineData("Noise_NNpsk0+psk2_25519_AESGCM_SHA256", "psk0+psk2")]
    [InlineData("Noise_XXfallback_25519_ChaChaPoly_BLAKE2b", "fallback")]
    [InlineData("Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2b", "hfs")]
    [InlineData("NoisePSK_XX_25519_ChaChaPoly_BLAKE2b", "legacy NoisePSK_")]
    public void Unsupported_names_say_what_is_unsupported(string name, string part)
    {
        Assert.False(NoiseProtocol.TryParse(name, out NoiseProtocol? p, out NoiseProtocolError error, out string? reason));
        Assert.Null(p);
        Assert.Equal(NoiseProtocolError.Unsupported, error);
        Assert.Contains(part, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Noise")]
    [InlineData("Noise_XX_25519_ChaChaPoly")]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2b_extra")]
    [InlineData("Nois_XX_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_ZZ_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_XY_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_XXbogus_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_XX_25519_Salsa_BLAKE2b")]
    [InlineData("Noise_XX_25519_ChaChaPoly_MD5")]
    [InlineData("Noise_XX_x25519_ChaChaPoly_BLAKE2b")]
    [InlineData("noise_XX_25519_ChaChaPoly_BLAKE2b")]
    public void Malformed_names_are_malformed(string name)
    {
        Assert.False(NoiseProtocol.TryParse(name, out _, out NoiseProtocolError error, out string? reason));
        Assert.Equal(NoiseProtocolError.Malformed, error);
        Assert.False(string.IsNullOrEmpty(reason));
    }
}
