namespace Mixnode.Noise;

/// <summary>The Noise hash functions this library implements (BLAKE2s is recognised but not implemented).</summary>
public enum NoiseHashFunction
{
    Sha256,
    Sha512,
    Blake2b,
}
