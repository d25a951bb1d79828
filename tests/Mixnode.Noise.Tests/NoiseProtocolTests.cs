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
    public void All_15_fundamental_and_23_deferred_patterns_with_every_cipher_and_hash_parse()
    {
        Assert.Equal(38, HandshakePattern.All.Count);
        Assert.Equal(23, HandshakePattern.All.Count(p => p.Name.Contains('1', StringComparison.Ordinal)));
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
    [InlineData("Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b", "XXpsk3", 1)]
    [InlineData("Noise_NNpsk0+psk2_25519_AESGCM_SHA256", "NNpsk0+psk2", 2)]
    [InlineData("Noise_Npsk0_25519_ChaChaPoly_SHA512", "Npsk0", 1)]
    [InlineData("Noise_X1X1psk0+psk1+psk2+psk3+psk4_25519_ChaChaPoly_BLAKE2b", "X1X1psk0+psk1+psk2+psk3+psk4", 5)]
    public void Psk_modifiers_parse_into_a_pattern_with_psk_tokens(string name, string pattern, int psks)
    {
        Assert.True(NoiseProtocol.TryParse(name, out NoiseProtocol? p, out _, out _));
        Assert.Equal(pattern, p.Pattern.Name);
        Assert.Equal(psks, p.Pattern.PskCount);
        Assert.Equal(name.Contains("_Npsk", StringComparison.Ordinal), p.Pattern.IsOneWay);
        int tokens = 0;
        for (int i = 0; i < p.Pattern.MessageCount; i++)
        {
            tokens += p.Pattern.Message(i).ToArray().Count(t => t == NoiseToken.Psk);
        }

        Assert.Equal(psks, tokens);
    }

    [Fact]
    public void Psk0_opens_the_first_message_and_pskN_closes_message_N()
    {
        HandshakePattern p = NoiseProtocol.Parse("Noise_XXpsk0+psk3_25519_ChaChaPoly_BLAKE2b").Pattern;
        Assert.Equal([NoiseToken.Psk, NoiseToken.E], p.Message(0).ToArray());
        Assert.Equal([NoiseToken.S, NoiseToken.SE, NoiseToken.Psk], p.Message(2).ToArray());
    }

    [Theory]
    [InlineData("Noise_XXpsk4_25519_ChaChaPoly_BLAKE2b")] // XX has three messages
    [InlineData("Noise_NNpsk0+psk0_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_NNpsk_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_X2K_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_11_25519_ChaChaPoly_BLAKE2b")]
    public void Psk_positions_and_deferral_digits_that_do_not_fit_are_malformed(string name)
    {
        Assert.False(NoiseProtocol.TryParse(name, out _, out NoiseProtocolError error, out _));
        Assert.Equal(NoiseProtocolError.Malformed, error);
    }

    [Theory]
    [InlineData("Noise_XX_448_ChaChaPoly_BLAKE2b", "448")]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2s", "BLAKE2s")]
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
