namespace Mixnode.Noise;

/// <summary>The Noise DH functions this library implements (448 is recognised but not implemented).</summary>
public enum NoiseDhFunction
{
    Curve25519,
}
