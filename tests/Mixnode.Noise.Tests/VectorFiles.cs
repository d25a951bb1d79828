namespace Mixnode.Noise.Tests;

/// <summary>Locates the vector files linked into this test project (Vectors/, copied to the output).</summary>
internal static class VectorFiles
{
    public const string Snow = "noise/snow_fundamental_25519_chachapoly.json";

    /// <summary>The 23 deferred patterns and multi-psk patterns (snow).</summary>
    public const string SnowDeferredPsk = "noise/snow_deferred_psk_25519_chachapoly.json";

    /// <summary>Single-psk patterns, psk0 to psk3 (cacophony).</summary>
    public const string CacophonyPsk = "noise/cacophony_psk_25519_chachapoly.json";

    public static string PathOf(string relative) =>
        Path.Combine(AppContext.BaseDirectory, "Vectors", relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));
}
