using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Benchmarks.Crypto;

/// <summary>
/// The five per-packet symmetric operations of a Sphinx unwrap at their Katzenpost sizes, fast path vs the
/// fallback path (and .NET's built-ins where there is one).
/// </summary>
[MemoryDiagnoser]
public class PrimitiveBenchmarks
{
    private readonly byte[] _key32 = new byte[32];
    private readonly byte[] _info29 = "katzenpost-kdf-v0-hkdf-sha256"u8.ToArray();
    private readonly byte[] _okm160 = new byte[160];
    private readonly byte[] _data444 = new byte[444];
    private readonly byte[] _tag = new byte[32];
    private readonly byte[] _iv16 = new byte[16];
    private readonly byte[] _buffer492 = new byte[492];
    private readonly byte[] _block64 = new byte[64];
    private readonly byte[] _nonce8 = new byte[8];

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_key32);
        RandomNumberGenerator.Fill(_data444);
        RandomNumberGenerator.Fill(_iv16);
        RandomNumberGenerator.Fill(_buffer492);
    }

    // HKDF-Expand, 32-byte PRK, 29-byte info, 160 bytes out.
    [Benchmark]
    public void Hkdf160_LibCrypto() => HkdfSha256.ExpandLibCrypto(_key32, _info29, _okm160);

    [Benchmark]
    public void Hkdf160_DotNetHKDF() => HKDF.Expand(HashAlgorithmName.SHA256, _key32, _okm160, _info29);

    // HMAC-SHA256, 32-byte key, 444 bytes.
    [Benchmark]
    public void Hmac444_LibCrypto() => HmacSha256.ComputeLibCrypto(_key32, _data444, _tag);

    [Benchmark]
    public void Hmac444_DotNetHMACSHA256() => HMACSHA256.HashData(_key32, _data444, _tag);

    // SHA-512/256 of 32 bytes (managed; no built-in exists).
    [Benchmark]
    public void Sha512_256_32() => Sha512_256.Hash(_key32, _tag);

    // AES-256-CTR, fresh key, 492 bytes in place.
    [Benchmark]
    public void Aes256Ctr492_AesNi() => Aes256Ctr.XorAesNi(_key32, _iv16, _buffer492, _buffer492);

    [Benchmark]
    public void Aes256Ctr492_FallbackEcb() => Aes256Ctr.XorFallback(_key32, _iv16, _buffer492, _buffer492);

    // ChaCha20 first block, fresh key, 8-byte zero nonce.
    [Benchmark]
    public void ChaCha20_64_Vector128() => ChaCha20.KeystreamVector128(_key32, _nonce8, 0, _block64);

    [Benchmark]
    public void ChaCha20_64_Scalar() => ChaCha20.KeystreamScalar(_key32, _nonce8, 0, _block64);
}
