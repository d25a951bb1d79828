using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// Which AES round AEZ (the payload cipher) runs on, and the rule for the portable one. Without AES-NI, AEZ falls
/// back to a table-driven round (<see cref="AezSoftwareAes"/>) whose memory accesses depend on the key: a process
/// sharing the CPU's caches can recover keys from their timing. A node must therefore not fall back silently: it
/// refuses to start unless the operator allowed it (<see cref="Refusal"/>, checked with the options at start).
/// </summary>
/// <remarks>
/// <see cref="EnvironmentVariable"/>=<c>software</c> makes this process behave as if the CPU had no AES-NI (read
/// once, at first use): to test the refusal and the portable path end to end, or to compare speeds. Only x86 AES-NI
/// counts as hardware; on other architectures AEZ always runs the portable round.
/// </remarks>
public static class AesBackend
{
    /// <summary>"software" forces the portable AES round in this process, as on a CPU without AES-NI.</summary>
    public const string EnvironmentVariable = "MIXNODE_AES";

    /// <summary>True when AEZ uses AES-NI; false when it uses the table-driven round.</summary>
    public static bool IsHardwareAccelerated { get; } = X86Aes.IsSupported && !ForcedSoftware();

    /// <summary>"aes-ni", or "software (…why…)" for start-up logs and tools.</summary>
    public static string Description =>
        IsHardwareAccelerated ? "aes-ni"
        : X86Aes.IsSupported ? $"software ({EnvironmentVariable}=software)"
        : "software (this CPU has no AES-NI)";

    /// <summary>
    /// Null when AEZ may run here: AES-NI is in use (<paramref name="hardware"/>), or the software round is
    /// allowed. Otherwise the start-up error, naming <paramref name="optionName"/> and the risk.
    /// </summary>
    public static string? Refusal(bool allowSoftware, bool hardware, string optionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(optionName);
        if (hardware || allowSoftware)
        {
            return null;
        }

        return $"AES-NI is not available (AEZ would use {(X86Aes.IsSupported ? $"the software AES round: {EnvironmentVariable}=software is set" : "the software AES round: this CPU has no AES-NI")}). " +
            "Its table lookups leak key bits through cache timing to anything sharing this CPU. Run on a CPU with AES-NI, " +
            $"or accept the risk with {optionName}=true.";
    }

    private static bool ForcedSoftware() =>
        string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim(), "software", StringComparison.OrdinalIgnoreCase);
}
