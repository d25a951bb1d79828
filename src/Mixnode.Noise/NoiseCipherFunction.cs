namespace Mixnode.Noise;

/// <summary>The Noise cipher functions (spec §12.3, §12.4).</summary>
public enum NoiseCipherFunction
{
    ChaChaPoly,
    AesGcm,
}
