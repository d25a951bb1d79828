namespace Mixnode.Noise;

/// <summary>Why a protocol name was not accepted: it is not a Noise name at all, or it names something not implemented.</summary>
public enum NoiseProtocolError
{
    None,
    Malformed,
    Unsupported,
}
