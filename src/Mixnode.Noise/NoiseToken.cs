namespace Mixnode.Noise;

/// <summary>The tokens of a handshake message pattern (spec §7.1): keys sent and DH results mixed in.</summary>
public enum NoiseToken
{
    E,
    S,
    EE,
    ES,
    SE,
    SS,
}
