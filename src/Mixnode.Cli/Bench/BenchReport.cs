using System.Text.Json.Serialization;

namespace Mixnode.Cli.Bench;

/// <summary>What <c>mixnode bench</c> measured; serialised as the last line with <c>--json</c>.</summary>
internal sealed record BenchReport(
    [property: JsonPropertyName("unwrap_per_sec")] double UnwrapPerSecond,
    [property: JsonPropertyName("x25519_per_sec")] double X25519PerSecond,
    [property: JsonPropertyName("unwrap_per_sec_all_cores")] double UnwrapPerSecondAllCores,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("x25519_backend")] string X25519Backend,
    [property: JsonPropertyName("packet_length")] int PacketLength)
{
    /// <summary>Packets per second unwrapped eight at a time on one thread.</summary>
    [JsonPropertyName("unwrap_per_sec_batched")]
    public double UnwrapPerSecondBatched { get; init; }

    /// <summary>Whether batches run on the eight-lane X25519, or why not.</summary>
    [JsonPropertyName("batch_x25519")]
    public string BatchStatus { get; init; } = "";

    /// <summary>Unwraps per second relative to the floor of two X25519 per unwrap (1.0 = nothing but X25519).</summary>
    [JsonPropertyName("unwrap_vs_x25519_floor")]
    public double FloorRatio => X25519PerSecond > 0 ? UnwrapPerSecond / (X25519PerSecond / 2) : 0;
}
