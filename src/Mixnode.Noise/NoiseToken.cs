namespace Mixnode.Noise;

/// <summary>The tokens of a handshake message pattern (spec §7.1): keys sent, DH results mixed in, and pre-shared keys (§9).</summary>
public enum NoiseToken
{
    E,
    S,
    EE,
    ES,
    SE,
    SS,

    /// <summary>MixKeyAndHash(the next pre-shared key), placed by a psk0..pskN modifier.</summary>
    Psk,
}
