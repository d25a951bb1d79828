using BenchmarkDotNet.Attributes;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Benchmarks.Sphinx;

/// <summary>
/// The per-packet work of a mix (unwrap) and of a client (create, SURB), on Katzenpost's default geometry:
/// 5 hops, 3082-byte packets. Unwrap copies a fresh packet first because it works in place (~0.1 µs of the figure).
/// </summary>
[MemoryDiagnoser]
public class SphinxBenchmarks
{
    private readonly SphinxGeometry _geometry = SphinxGeometry.Default;
    private X25519PrivateKey[] _keys = [];
    private PathHop[] _path = [];
    private PathHop[] _surbPath = [];
    private byte[] _template = [];
    private byte[] _work = [];
    private byte[] _message = [];
    private byte[] _surb = [];
    private byte[] _surbKeys = [];
    private readonly Memory<byte>[] _batch = new Memory<byte>[SphinxUnwrapper.MaxBatch];
    private readonly UnwrapResult[] _batchResults = new UnwrapResult[SphinxUnwrapper.MaxBatch];
    private readonly UnwrappedPacket[] _batchUnwrapped = new UnwrappedPacket[SphinxUnwrapper.MaxBatch];

    [GlobalSetup]
    public void Setup()
    {
        _keys = [.. Enumerable.Range(0, _geometry.NrHops).Select(_ => X25519PrivateKey.Generate())];
        _path = new PathHop[_keys.Length];
        _surbPath = new PathHop[_keys.Length];
        byte[] recipient = new byte[32];
        for (int i = 0; i < _keys.Length; i++)
        {
            byte[] id = new byte[32];
            Random.Shared.NextBytes(id);
            bool last = i == _keys.Length - 1;
            _path[i] = new PathHop(id, _keys[i].PublicKey, last ? RoutingCommands.ToRecipient(recipient) : RoutingCommands.Delay(50));
            _surbPath[i] = new PathHop(id, _keys[i].PublicKey, last ? RoutingCommands.ToRecipient(recipient).WithSurbReply(new byte[16]) : RoutingCommands.Delay(50));
        }

        _message = new byte[_geometry.ForwardPayloadLength];
        _template = new byte[_geometry.PacketLength];
        _work = new byte[_geometry.PacketLength];
        _surb = new byte[_geometry.SurbLength];
        _surbKeys = new byte[SphinxGeometry.SurbKeysLength(_keys.Length)];
        SphinxPacketBuilder.CreatePacket(_geometry, _path, _message, _template);
        for (int i = 0; i < _batch.Length; i++)
        {
            _batch[i] = new byte[_geometry.PacketLength];
        }

        Console.WriteLine($"// batches: {SphinxUnwrapper.BatchStatus}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (X25519PrivateKey key in _keys)
        {
            key.Dispose();
        }
    }

    [Benchmark(Description = "Unwrap (first hop of 5, 3082 B)")]
    public UnwrapResult Unwrap()
    {
        _template.CopyTo(_work, 0);
        return SphinxUnwrapper.Unwrap(_geometry, _keys[0], _work, out _);
    }

    /// <summary>Eight packets at once, as a loaded node's worker does; divide by eight for the cost per packet.</summary>
    [Benchmark(Description = "UnwrapBatch (8 packets, first hop of 5)", OperationsPerInvoke = SphinxUnwrapper.MaxBatch)]
    public void UnwrapBatch()
    {
        foreach (Memory<byte> packet in _batch)
        {
            _template.CopyTo(packet);
        }

        SphinxUnwrapper.UnwrapBatch(_geometry, _keys[0], _batch, _batchResults, _batchUnwrapped);
    }

    [Benchmark(Description = "Create forward packet (5 hops)")]
    public byte[] CreatePacket()
    {
        SphinxPacketBuilder.CreatePacket(_geometry, _path, _message, _work);
        return _work;
    }

    [Benchmark(Description = "Create SURB (5 hops)")]
    public byte[] CreateSurb()
    {
        SurbBuilder.CreateSurb(_geometry, _surbPath, _surb, _surbKeys);
        return _surb;
    }
}
