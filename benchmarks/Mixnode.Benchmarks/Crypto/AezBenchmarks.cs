using BenchmarkDotNet.Attributes;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Benchmarks.Crypto;

/// <summary>
/// AEZ on a Katzenpost Sphinx payload (2606 bytes), in place, as the node uses it. Throughput = 2606 B / mean.
/// The portable (software-round) engine is shown for comparison; the node runs the AES-NI path.
/// </summary>
[MemoryDiagnoser]
public class AezBenchmarks
{
    private const int PayloadLength = 2606;

    private readonly byte[] _key = new byte[Aez.KeySize];
    private readonly byte[] _nonce = new byte[Aez.NonceSize];
    private readonly byte[] _payload = new byte[PayloadLength];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        rng.NextBytes(_key);
        rng.NextBytes(_nonce);
        rng.NextBytes(_payload);
        if (!Aez.IsHardwareAccelerated)
        {
            throw new InvalidOperationException("AES-NI is not available: the hardware benchmarks would measure the portable path");
        }
    }

    [Benchmark(Baseline = true)]
    public void EncryptInPlace() => Aez.Encrypt(_key, _nonce, _payload, _payload);

    [Benchmark]
    public void DecryptInPlace() => Aez.Decrypt(_key, _nonce, _payload, _payload);

    [Benchmark]
    public void PortableEncryptInPlace() =>
        AezEngine<AezPortableRound>.Profile(_key, _nonce, _payload, _payload, decipher: false);
}
