using BenchmarkDotNet.Attributes;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Benchmarks.Wire;

/// <summary>Framing one Sphinx packet for a mix link (3088-byte commands) and parsing it back.</summary>
[MemoryDiagnoser]
public class WireCodecBenchmarks
{
    private readonly WireFraming _framing = WireFraming.ForMixLink(SphinxGeometry.Default);
    private byte[] _packet = [];
    private byte[] _message = [];

    [GlobalSetup]
    public void Setup()
    {
        _packet = new byte[_framing.PacketLength];
        Random.Shared.NextBytes(_packet);
        _message = new byte[_framing.CommandSize];
        WireCodec.TryEncode(WireCommand.SendPacket(_packet), _message, _framing);
    }

    [Benchmark(Description = "Encode SendPacket (padded)")]
    public int Encode() => (int)WireCodec.TryEncode(WireCommand.SendPacket(_packet), _message, _framing);

    [Benchmark(Description = "Decode SendPacket (framed)")]
    public int Decode() => WireCodec.TryDecode(_message, _framing, out WireCommand command) == WireDecodeResult.Ok ? command.Payload.Length : -1;

    [Benchmark(Description = "Encode NoOp (padded)")]
    public int EncodeNoOp() => (int)WireCodec.TryEncode(WireCommand.NoOp(), _message, _framing);
}
