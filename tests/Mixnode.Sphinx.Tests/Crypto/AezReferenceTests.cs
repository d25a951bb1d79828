using System.Runtime.Intrinsics;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>
/// The interleaved, 8-pairs-per-group AEZ-core against a direct transcription of spec §7.2 built only on E(j,i)
/// (itself pinned by the E vectors), for payload sizes well past the 512-byte vector files.
/// </summary>
public sealed class AezReferenceTests
{
    private static Vector128<byte> E(in AezKey k, int j, long i, Vector128<byte> x) => AezEngine<AezHardwareRound>.E(in k, j, i, x);

    private static Vector128<byte> Pad(ReadOnlySpan<byte> s)
    {
        var b = new byte[16];
        s.CopyTo(b);
        b[s.Length] = 0x80;
        return Vector128.Create(b);
    }

    private static byte[] Xor(ReadOnlySpan<byte> a, Vector128<byte> v)
    {
        var b = new byte[16];
        v.CopyTo(b);
        var r = new byte[a.Length];
        for (int n = 0; n < a.Length; n++)
        {
            r[n] = (byte)(a[n] ^ b[n]);
        }

        return r;
    }

    private static byte[] ReferenceCore(in AezKey k, Vector128<byte> delta, byte[] m, int d)
    {
        int p = (m.Length - 32) / 32, f = (m.Length - 32) % 32;
        var w = new Vector128<byte>[p + 1];
        var xs = new Vector128<byte>[p + 1];
        Vector128<byte> x = Vector128<byte>.Zero;
        for (int i = 1; i <= p; i++)
        {
            Vector128<byte> mi = Vector128.Create(m, 32 * (i - 1)), mpi = Vector128.Create(m, (32 * (i - 1)) + 16);
            w[i] = mi ^ E(in k, 1, i, mpi);
            xs[i] = mpi ^ E(in k, 0, 0, w[i]);
            x ^= xs[i];
        }

        ReadOnlySpan<byte> frag = m.AsSpan(32 * p, f);
        if (f > 0 && f < 16)
        {
            x ^= E(in k, 0, 4, Pad(frag));
        }
        else if (f >= 16)
        {
            x ^= E(in k, 0, 4, Vector128.Create(frag[..16])) ^ E(in k, 0, 5, Pad(frag[16..]));
        }

        Vector128<byte> mx = Vector128.Create(m, m.Length - 32), my = Vector128.Create(m, m.Length - 16);
        Vector128<byte> sx = mx ^ delta ^ x ^ E(in k, 0, 1 + d, my);
        Vector128<byte> sy = my ^ E(in k, -1, 1 + d, sx);
        Vector128<byte> s = sx ^ sy;
        var c = new List<byte>(m.Length);
        Vector128<byte> y = Vector128<byte>.Zero;
        for (int i = 1; i <= p; i++)
        {
            Vector128<byte> sp = E(in k, 2, i, s);
            Vector128<byte> yi = w[i] ^ sp, zi = xs[i] ^ sp;
            Vector128<byte> cpi = yi ^ E(in k, 0, 0, zi);
            Vector128<byte> ci = zi ^ E(in k, 1, i, cpi);
            y ^= yi;
            c.AddRange(Xor(new byte[16], ci));
            c.AddRange(Xor(new byte[16], cpi));
        }

        if (f > 0 && f < 16)
        {
            byte[] cu = Xor(frag, E(in k, -1, 4, s));
            y ^= E(in k, 0, 4, Pad(cu));
            c.AddRange(cu);
        }
        else if (f >= 16)
        {
            byte[] cu = Xor(frag[..16], E(in k, -1, 4, s));
            byte[] cv = Xor(frag[16..], E(in k, -1, 5, s));
            y ^= E(in k, 0, 4, Vector128.Create(cu)) ^ E(in k, 0, 5, Pad(cv));
            c.AddRange(cu);
            c.AddRange(cv);
        }

        Vector128<byte> cy = sx ^ E(in k, -1, 2 - d, sy);
        Vector128<byte> cx = sy ^ delta ^ y ^ E(in k, 0, 2 - d, cy);
        c.AddRange(Xor(new byte[16], cx));
        c.AddRange(Xor(new byte[16], cy));
        return [.. c];
    }

    [Theory]
    [InlineData(2606)]
    [InlineData(3000)]
    [InlineData(32 + (32 * 24) + 17)]
    [InlineData(32 + (32 * 23) + 16)]
    [InlineData(4096)]
    public void Interleaved_core_matches_the_spec_transcription(int length)
    {
        var rng = new Random(length);
        byte[] key = new byte[48], nonce = new byte[16], m = new byte[length];
        rng.NextBytes(key);
        rng.NextBytes(nonce);
        rng.NextBytes(m);
        AezKey.Extract(key, out AezKey k);
        Vector128<byte> delta = E(in k, 3, 1, Vector128<byte>.Zero) ^ E(in k, 4, 1, Vector128.Create(nonce));

        byte[] expected = ReferenceCore(in k, delta, m, 0);
        byte[] actual = new byte[length];
        Aez.Encrypt(key, nonce, m, actual);
        Assert.Equal(expected, actual);
        Assert.Equal(m, ReferenceCore(in k, delta, expected, 1));

        byte[] portable = new byte[length];
        AezEngine<AezPortableRound>.Profile(key, nonce, m, portable, decipher: false);
        Assert.Equal(expected, portable);
    }
}
