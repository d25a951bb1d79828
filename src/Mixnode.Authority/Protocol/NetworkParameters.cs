using System.Globalization;
using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Protocol;

/// <summary>
/// What an authority proposes besides the descriptors: the epoch period, the number of mix layers, the Sphinx
/// geometry and the mixing parameters. Every vote carries them; a document is made only when a threshold of votes
/// carry byte-identical parameters, so one misconfigured authority cannot change the network's geometry or rates.
/// JSON: <c>{"epoch_period_seconds", "layers", "geometry": {nr_hops, forward_payload_length}, "mixing": {…as in the
/// document…}}</c>, always written by <see cref="ToUtf8Json"/> so that equal parameters are equal bytes.
/// </summary>
internal sealed class NetworkParameters
{
    public const int MaxLayers = 8;

    public NetworkParameters(TimeSpan epochPeriod, int layers, SphinxGeometry geometry, MixingParameters mixing)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(mixing);
        if (epochPeriod < TimeSpan.FromSeconds(1) || epochPeriod > TimeSpan.FromDays(7) || epochPeriod.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new FormatException($"the epoch period must be whole seconds between 1 s and one week, got {epochPeriod}");
        }

        if (layers < 1 || layers > MaxLayers || layers + 2 > geometry.NrHops)
        {
            throw new FormatException($"{layers} layers do not fit: between 1 and {Math.Min(MaxLayers, geometry.NrHops - 2)} with {geometry}");
        }

        EpochPeriod = epochPeriod;
        Layers = layers;
        Geometry = geometry;
        Mixing = mixing;
        Canonical = Write();
    }

    public TimeSpan EpochPeriod { get; }

    public int Layers { get; }

    public SphinxGeometry Geometry { get; }

    public MixingParameters Mixing { get; }

    /// <summary>The canonical JSON bytes (what votes carry and what agreement compares).</summary>
    public ReadOnlyMemory<byte> Canonical { get; }

    public byte[] ToUtf8Json() => Canonical.ToArray();

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("epoch_period_seconds", (long)EpochPeriod.TotalSeconds);
        writer.WriteNumber("layers", Layers);
        writer.WriteStartObject("geometry");
        writer.WriteNumber("nr_hops", Geometry.NrHops);
        writer.WriteNumber("forward_payload_length", Geometry.ForwardPayloadLength);
        writer.WriteEndObject();
        writer.WritePropertyName("mixing");
        Mixing.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary>Parses the parameters of a vote; <see cref="FormatException"/> or <see cref="TopologyException"/> when wrong.</summary>
    public static NetworkParameters Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("'parameters' must be an object");
        }

        long period = root.GetProperty("epoch_period_seconds").GetInt64();
        int layers = root.GetProperty("layers").GetInt32();
        JsonElement geometry = root.GetProperty("geometry");
        int nrHops = geometry.GetProperty("nr_hops").GetInt32();
        int forward = geometry.GetProperty("forward_payload_length").GetInt32();
        if (SphinxGeometry.TryValidate(nrHops, forward) is { } geometryError)
        {
            throw new FormatException($"geometry: {geometryError}");
        }

        MixingParameters parameters = NetworkDocument.ParseMixing(root.GetProperty("mixing"));
        return new NetworkParameters(TimeSpan.FromSeconds(period), layers, new SphinxGeometry(nrHops, forward), parameters);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Layers} layers, {Geometry}, {Mixing.Strategy.ToName()}, epochs of {EpochPeriod.TotalSeconds} s");

    private byte[] Write()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return buffer.ToArray();
    }
}
