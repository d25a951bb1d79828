using BenchmarkDotNet.Attributes;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Benchmarks.Crypto;

/// <summary>
/// X25519 per backend: a one-off scalar (ScalarMult, e.g. Sphinx's per-hop blinding), a long-lived key
/// (X25519PrivateKey.Agree, the node's per-packet agreement) and the fixed base (key generation).
/// Compare with <c>openssl speed ecdhx25519</c>, which times EVP_PKEY_derive alone on a prepared context.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class X25519Benchmarks
{
    private readonly byte[] _scalar = Convert.FromHexString("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    private readonly byte[] _point = Convert.FromHexString("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    private readonly byte[] _output = new byte[X25519.PointSize];
    private readonly byte[] _scalars8 = new byte[X25519Batch.Lanes * X25519.ScalarSize];
    private readonly byte[] _points8 = new byte[X25519Batch.Lanes * X25519.PointSize];
    private readonly byte[] _outputs8 = new byte[X25519Batch.Lanes * X25519.PointSize];
    private X25519PrivateKey _opensslKey = null!;
    private X25519PrivateKey _libsodiumKey = null!;
    private X25519PrivateKey _nsecKey = null!;
    private X25519PrivateKey _defaultKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// X25519.BackendName = {X25519.BackendName}; batches: {X25519Batch.Status}");
        for (int lane = 0; lane < X25519Batch.Lanes; lane++)
        {
            _scalar.CopyTo(_scalars8, lane * X25519.ScalarSize);
            _point.CopyTo(_points8, lane * X25519.PointSize);
        }
        _opensslKey = new X25519PrivateKey(_scalar, X25519OpenSslBackend.Instance);
        _libsodiumKey = new X25519PrivateKey(_scalar, X25519LibsodiumBackend.Instance);
        _nsecKey = new X25519PrivateKey(_scalar, X25519NSecBackend.Instance);
        _defaultKey = new X25519PrivateKey(_scalar);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _opensslKey.Dispose();
        _libsodiumKey.Dispose();
        _nsecKey.Dispose();
        _defaultKey.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ScalarMult")]
    public bool ScalarMult_OpenSslEvp() => X25519OpenSslBackend.Instance.ScalarMult(_scalar, _point, _output);

    [Benchmark]
    [BenchmarkCategory("ScalarMult")]
    public bool ScalarMult_Libsodium() => X25519LibsodiumBackend.Instance.ScalarMult(_scalar, _point, _output);

    [Benchmark]
    [BenchmarkCategory("ScalarMult")]
    public bool ScalarMult_NSec() => X25519NSecBackend.Instance.ScalarMult(_scalar, _point, _output);

    [Benchmark]
    [BenchmarkCategory("ScalarMult")]
    public bool ScalarMult_PublicApi() => X25519.ScalarMult(_scalar, _point, _output);

    /// <summary>Eight lanes per call (AVX-512 IFMA); per-operation figure (OperationsPerInvoke = 8).</summary>
    [Benchmark(OperationsPerInvoke = X25519Batch.Lanes)]
    [BenchmarkCategory("ScalarMult")]
    public int ScalarMult_Batch8() => X25519Batch.IsAvailable ? X25519Batch.ScalarMult(_scalars8, _points8, _outputs8, X25519Batch.Lanes) : 0;

    [Benchmark]
    [BenchmarkCategory("Agree")]
    public bool Agree_OpenSslEvp() => _opensslKey.Agree(_point, _output);

    [Benchmark]
    [BenchmarkCategory("Agree")]
    public bool Agree_Libsodium() => _libsodiumKey.Agree(_point, _output);

    [Benchmark]
    [BenchmarkCategory("Agree")]
    public bool Agree_NSec() => _nsecKey.Agree(_point, _output);

    [Benchmark]
    [BenchmarkCategory("Agree")]
    public bool Agree_PublicApi() => _defaultKey.Agree(_point, _output);

    [Benchmark]
    [BenchmarkCategory("Base")]
    public void ScalarMultBase_OpenSslEvp() => X25519OpenSslBackend.Instance.ScalarMultBase(_scalar, _output);

    [Benchmark]
    [BenchmarkCategory("Base")]
    public void ScalarMultBase_Libsodium() => X25519LibsodiumBackend.Instance.ScalarMultBase(_scalar, _output);
}
