using System.Security.Cryptography;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// A long-lived private key (a node's mix key for an epoch) used for many agreements from several threads:
/// keeps what can be prepared once (with OpenSSL: the EVP_PKEY and one derive context per thread).
/// </summary>
/// <remarks>
/// The private key bytes live in a pinned array that is zeroed when the key is released. <see cref="Dispose"/> may
/// race with <see cref="Agree"/> on other threads: native state is freed only after the agreements in flight return
/// (a reference count, as SafeHandle does), and calls that start after Dispose throw <see cref="ObjectDisposedException"/>.
/// Per-thread contexts of threads that ended stay allocated until Dispose (a few hundred bytes each).
/// </remarks>
public sealed class X25519PrivateKey : IDisposable
{
    private readonly byte[] _privateKey;
    private readonly byte[] _publicKey;
    private readonly X25519PreparedKey _prepared;

    // 1 (the owner's reference, dropped by Dispose) + one per call in flight; native state is released at 0.
    private int _references = 1;
    private int _disposed;

    public X25519PrivateKey(ReadOnlySpan<byte> privateKey)
        : this(privateKey, X25519.Backend)
    {
    }

    internal X25519PrivateKey(ReadOnlySpan<byte> privateKey, X25519Backend backend)
    {
        X25519.CheckLength(privateKey.Length, X25519.ScalarSize, nameof(privateKey));
        _privateKey = GC.AllocateArray<byte>(X25519.ScalarSize, pinned: true);
        privateKey.CopyTo(_privateKey);
        _publicKey = new byte[X25519.PointSize];
        try
        {
            _prepared = backend.Prepare(_privateKey);
            _prepared.GetPublicKey(_publicKey);
        }
        catch
        {
            _prepared?.Dispose();
            CryptographicOperations.ZeroMemory(_privateKey);
            GC.SuppressFinalize(this);
            throw;
        }
    }

    /// <summary>Zeroes the private key bytes if the key was never disposed (native state has its own finalizers).</summary>
    ~X25519PrivateKey() => CryptographicOperations.ZeroMemory(_privateKey);

    /// <summary>The 32-byte public key, X25519(private key, 9).</summary>
    public ReadOnlySpan<byte> PublicKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _publicKey;
        }
    }

    /// <summary>A new key from <see cref="RandomNumberGenerator"/>.</summary>
    public static X25519PrivateKey Generate()
    {
        Span<byte> scalar = stackalloc byte[X25519.ScalarSize];
        RandomNumberGenerator.Fill(scalar);
        try
        {
            return new X25519PrivateKey(scalar);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    public void ExportPrivateKey(Span<byte> destination)
    {
        X25519.CheckLength(destination.Length, X25519.ScalarSize, nameof(destination));
        AddReference();
        try
        {
            _privateKey.CopyTo(destination);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>X25519(this key, point); thread-safe; allocation-free in steady state; false iff the result is all zero (output then all zero).</summary>
    public bool Agree(ReadOnlySpan<byte> point, Span<byte> sharedSecret)
    {
        X25519.CheckLength(point.Length, X25519.PointSize, nameof(point));
        X25519.CheckLength(sharedSecret.Length, X25519.PointSize, nameof(sharedSecret));
        AddReference();
        try
        {
            return _prepared.Agree(point, sharedSecret);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// X25519(this key, point i) for <paramref name="count"/> (1..8) consecutive 32-byte points at once, on
    /// <see cref="X25519Batch"/> (only when it is available). Returns the mask of low-order lanes (secret all zero).
    /// </summary>
    internal int AgreeBatch(ReadOnlySpan<byte> points, Span<byte> sharedSecrets, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, X25519Batch.Lanes);
        Span<byte> scalars = stackalloc byte[X25519Batch.Lanes * X25519.ScalarSize];
        AddReference();
        try
        {
            for (int i = 0; i < count; i++)
            {
                _privateKey.CopyTo(scalars.Slice(i * X25519.ScalarSize, X25519.ScalarSize));
            }

            return X25519Batch.ScalarMult(scalars, points, sharedSecrets, count);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalars);
            Release();
        }
    }

    /// <summary>Frees the native objects and zeroes the private key (once the calls in flight have returned).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
        }

        GC.SuppressFinalize(this);
    }

    private void AddReference()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int current = Volatile.Read(ref _references);
        while (true)
        {
            ObjectDisposedException.ThrowIf(current == 0, this);
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _prepared.Dispose();
            CryptographicOperations.ZeroMemory(_privateKey);
        }
    }
}
