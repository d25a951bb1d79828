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
    private X25519PrivateKey _opensslKey = null!;
    private X25519PrivateKey _libsodiumKey = null!;
    private X25519PrivateKey _nsecKey = null!;
    private X25519PrivateKey _defaultKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// X25519.BackendName = {X25519.BackendName}");
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
