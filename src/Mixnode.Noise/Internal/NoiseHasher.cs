using System.Security.Cryptography;

namespace Mixnode.Noise.Internal;

/// <summary>
/// An incremental HASH() for one symmetric state (libsodium's SHA-256, SHA-512 or BLAKE2b-512), reused for every
/// hash of a handshake. The state lives in a pinned array, aligned to 64 bytes as BLAKE2b's state requires, and is
/// zeroed by <see cref="Dispose"/> (it holds HMAC key material between calls).
/// </summary>
internal sealed unsafe class NoiseHasher : IDisposable
{
    private const int Alignment = 64;

    private readonly NoiseHashFunction _function;
    private readonly byte[] _buffer;
    private readonly byte* _state;

    public NoiseHasher(NoiseHashFunction function)
    {
        Sodium.EnsureInitialized();
        _function = function;
        int size = checked((int)(function switch
        {
            NoiseHashFunction.Sha256 => Sodium.crypto_hash_sha256_statebytes(),
            NoiseHashFunction.Sha512 => Sodium.crypto_hash_sha512_statebytes(),
            _ => Sodium.crypto_generichash_blake2b_statebytes(),
        }));
        _buffer = GC.AllocateArray<byte>(size + Alignment, pinned: true);
        fixed (byte* p = _buffer)
        {
            // The array is pinned (pinned object heap), so the aligned pointer stays valid for the hasher's life.
            _state = (byte*)(((nuint)p + Alignment - 1) & ~(nuint)(Alignment - 1));
        }

        (HashLength, BlockLength) = HashSizes(function);
    }

    /// <summary>HASHLEN: 32 for SHA-256, 64 for SHA-512 and BLAKE2b.</summary>
    public int HashLength { get; }

    /// <summary>BLOCKLEN, for HMAC: 64 for SHA-256, 128 for SHA-512 and BLAKE2b.</summary>
    public int BlockLength { get; }

    public static (int HashLength, int BlockLength) HashSizes(NoiseHashFunction function) =>
        function == NoiseHashFunction.Sha256 ? (32, 64) : (64, 128);

    public void Start()
    {
        int rc = _function switch
        {
            NoiseHashFunction.Sha256 => Sodium.crypto_hash_sha256_init(_state),
            NoiseHashFunction.Sha512 => Sodium.crypto_hash_sha512_init(_state),
            _ => Sodium.crypto_generichash_blake2b_init(_state, null, 0, (nuint)HashLength),
        };
        Check(rc);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        fixed (byte* d = data)
        {
            int rc = _function switch
            {
                NoiseHashFunction.Sha256 => Sodium.crypto_hash_sha256_update(_state, d, (ulong)data.Length),
                NoiseHashFunction.Sha512 => Sodium.crypto_hash_sha512_update(_state, d, (ulong)data.Length),
                _ => Sodium.crypto_generichash_blake2b_update(_state, d, (ulong)data.Length),
            };
            Check(rc);
        }
    }

    /// <summary>Writes the HASHLEN-byte digest to the start of <paramref name="output"/>.</summary>
    public void Finish(Span<byte> output)
    {
        if (output.Length < HashLength)
        {
            throw new ArgumentException("Hash output too small.", nameof(output));
        }

        fixed (byte* o = output)
        {
            int rc = _function switch
            {
                NoiseHashFunction.Sha256 => Sodium.crypto_hash_sha256_final(_state, o),
                NoiseHashFunction.Sha512 => Sodium.crypto_hash_sha512_final(_state, o),
                _ => Sodium.crypto_generichash_blake2b_final(_state, o, (nuint)HashLength),
            };
            Check(rc);
        }
    }

    /// <summary>HASH(a || b).</summary>
    public void Hash(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        Start();
        Append(a);
        Append(b);
        Finish(output);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_buffer);

    private static void Check(int rc)
    {
        if (rc != 0)
        {
            throw new CryptographicException("libsodium hash call failed.");
        }
    }
}
