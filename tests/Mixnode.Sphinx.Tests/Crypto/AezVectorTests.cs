using System.Runtime.Intrinsics;
using System.Text.Json;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>AES-NI backend against every AEZ vector file.</summary>
public sealed class AezHardwareVectorTests() : AezVectorTests(AezBackend.Hardware)
{
    [Fact]
    public void Hardware_path_is_available_here()
    {
        // The CI machines have AES-NI; without it every test in this class would be meaningless.
        Assert.True(System.Runtime.Intrinsics.X86.Aes.IsSupported);
        Assert.True(Aez.IsHardwareAccelerated);
    }
}

/// <summary>Software-round backend against every AEZ vector file (otherwise never exercised on AES-NI machines).</summary>
public sealed class AezPortableVectorTests() : AezVectorTests(AezBackend.Portable)
{
}

/// <summary>
/// Stage-by-stage vectors (spec §10) run against one backend. Each test loops over a whole file and reports every
/// failing case index, so one run shows the full picture.
/// </summary>
public abstract class AezVectorTests
{
    private readonly AezBackend _engine;

    private protected AezVectorTests(AezBackend engine) => _engine = engine;

    private static JsonElement[] Cases(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(VectorFiles.Read("aez/" + file));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);

    private static byte[][] HexList(JsonElement e, string name) =>
        e.GetProperty(name).EnumerateArray().Select(x => Convert.FromHexString(x.GetString()!)).ToArray();

    private static byte[] Bytes(Vector128<byte> v)
    {
        var b = new byte[16];
        v.CopyTo(b);
        return b;
    }

    private static void AssertAll(string file, int expectedCount, Func<JsonElement, bool> check)
    {
        JsonElement[] cases = Cases(file);
        Assert.Equal(expectedCount, cases.Length);
        var failed = new List<int>();
        for (int n = 0; n < cases.Length; n++)
        {
            if (!check(cases[n]))
            {
                failed.Add(n);
            }
        }

        Assert.True(failed.Count == 0, $"{file}: {failed.Count} failing cases: {string.Join(", ", failed.Take(20))}");
    }

    private static void ExtractKey(byte[] key, out AezKey k) => AezKey.Extract(key, out k);

    [Fact]
    public void Extract_matches_extract_json()
    {
        AssertAll("extract.json", 110, c =>
        {
            ExtractKey(Hex(c, "a"), out AezKey k);
            byte[] ijl = [.. Bytes(k.I), .. Bytes(k.J), .. Bytes(k.L)];
            return ijl.AsSpan().SequenceEqual(Hex(c, "b"));
        });
    }

    [Fact]
    public void E_matches_tweakable_blockcipher_json()
    {
        AssertAll("generated_E_tweakable_blockcipher.json", 200, c =>
        {
            ExtractKey(Hex(c, "k"), out AezKey k);
            Vector128<byte> dst = _engine.E(in k, c.GetProperty("j").GetInt32(), c.GetProperty("i").GetInt64(), Vector128.Create(Hex(c, "src")));
            return Bytes(dst).AsSpan().SequenceEqual(Hex(c, "dst"));
        });
    }

    [Fact]
    public void Hash_matches_hash_json_with_tau_in_bits()
    {
        AssertAll("hash.json", 27, c =>
        {
            ExtractKey(Hex(c, "k"), out AezKey k);
            byte[][] data = HexList(c, "data");
            Vector128<byte> v = _engine.Hash(in k, c.GetProperty("tau").GetUInt64(), data[0], data[1..]);
            return Bytes(v).AsSpan().SequenceEqual(Hex(c, "v"));
        });
    }

    [Fact]
    public void Prf_matches_prf_json()
    {
        AssertAll("prf.json", 16, c =>
        {
            ExtractKey(Hex(c, "k"), out AezKey k);
            var r = new byte[c.GetProperty("tau").GetInt32()];
            _engine.Prf(in k, Vector128.Create(Hex(c, "delta")), r);
            return r.AsSpan().SequenceEqual(Hex(c, "r"));
        });
    }

    [Fact]
    public void Profile_matches_sprp_tau0_noad_short_json_both_ways_and_in_place()
    {
        AssertAll("sprp_tau0_noad_short.json", 65, c =>
        {
            byte[] key = Hex(c, "k"), nonce = Hex(c, "nonce"), m = Hex(c, "m"), expected = Hex(c, "c");
            var ct = new byte[m.Length];
            _engine.Profile(key, nonce, m, ct, decipher: false);
            var pt = new byte[m.Length];
            _engine.Profile(key, nonce, ct, pt, decipher: true);
            byte[] inPlace = (byte[])m.Clone();
            _engine.Profile(key, nonce, inPlace, inPlace, decipher: false);
            return ct.AsSpan().SequenceEqual(expected) && pt.AsSpan().SequenceEqual(m) && inPlace.AsSpan().SequenceEqual(expected)
                && c.GetProperty("tau").GetInt32() == 0 && c.GetProperty("data").GetArrayLength() == 0;
        });
    }

    [Theory]
    [InlineData("encrypt_no_ad.json", 4)]
    [InlineData("encrypt_16_byte_key.json", 4)]
    [InlineData("encrypt_33_byte_ad.json", 4)]
    [InlineData("encrypt_even.json", 512)]
    [InlineData("sprp_tau0_noad_short.json", 65)]
    public void Encrypt_and_TryDecrypt_match(string file, int count)
    {
        AssertAll(file, count, c =>
        {
            byte[] key = Hex(c, "k"), nonce = Hex(c, "nonce"), m = Hex(c, "m"), expected = Hex(c, "c");
            byte[][] ad = HexList(c, "data");
            int tau = c.GetProperty("tau").GetInt32();
            byte[] ct = _engine.Encrypt(key, nonce, ad, tau, m);
            if (!ct.AsSpan().SequenceEqual(expected))
            {
                return false;
            }

            if (!_engine.TryDecrypt(key, nonce, ad, tau, expected, out byte[]? pt) || !pt.AsSpan().SequenceEqual(m))
            {
                return false;
            }

            if (tau > 0)
            {
                // Any flipped bit must make authentication fail; try the first, a middle and the last bit.
                foreach (int bit in new[] { 0, expected.Length * 4 + 3, (expected.Length * 8) - 1 })
                {
                    byte[] forged = (byte[])expected.Clone();
                    forged[bit / 8] ^= (byte)(1 << (bit % 8));
                    if (_engine.TryDecrypt(key, nonce, ad, tau, forged, out byte[]? bad) || bad is not null)
                    {
                        return false;
                    }
                }
            }

            return true;
        });
    }

    [Fact]
    public void Encrypt_files_cover_tau_16_forgery_checks()
    {
        // Guards the forgery branch above against silently testing nothing.
        Assert.Contains(Cases("encrypt_no_ad.json"), c => c.GetProperty("tau").GetInt32() == 16);
        Assert.Contains(Cases("encrypt_16_byte_key.json"), c => c.GetProperty("tau").GetInt32() == 16);
    }

    /// <summary>Spec §10 worked traces, for the key of encrypt_no_ad.json case 0.</summary>
    [Fact]
    public void E_table_worked_trace()
    {
        ExtractKey(Hex(Cases("encrypt_no_ad.json")[0], "k"), out AezKey k);
        Assert.Equal("ec6dc9fb5e68dbc2a7615c67baf5b8e4", Convert.ToHexStringLower(Bytes(k.I)));
        Assert.Equal("72953b84918f1e0c4e01cf43387535d2", Convert.ToHexStringLower(Bytes(k.J)));
        Assert.Equal("92c4be5657849d84246c7253a3252577", Convert.ToHexStringLower(Bytes(k.L)));
        Vector128<byte> x = Vector128.Create(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
        (int J, int I, string Value)[] table =
        [
            (-1, 1, "898ba84786d00d0f1dc805ac021e2abe"), (-1, 2, "b258419cc463e4f972b3ac2c2f7e8951"),
            (-1, 3, "807bd9bf6f8a5235091a494d95d428ed"), (-1, 4, "3c254d3c47a2f6d76c2a4253bbe9b9b1"),
            (-1, 5, "49302c28cae2d93b6836af0717465624"), (0, 0, "d0c1ee00055b92341a85ea32df397499"),
            (0, 1, "3a40757e7b30b9e3b660053002a85e33"), (0, 2, "bfb3a44f8009d095f5b8b9e5d1942fdf"),
            (0, 3, "7f8e78e7cba876ba84f5c2daa9c382b9"), (0, 4, "98a0bd68b4b876db7bdae008228947c8"),
            (0, 5, "0e5d2f913b7d9a96e4ebea3b71bd654a"), (0, 6, "e1ec6804f4c0e9ba5d0f79491e66085c"),
            (0, 7, "7d68029f9542e773079d3c928e5460ea"), (1, 1, "3387ce0c3613776739a3ae0c961e1920"),
            (1, 7, "4f29c322798faabd5922d649ebc56d38"), (1, 8, "87d3d557991ec69df07eb12bc74068be"),
            (1, 9, "b9b129e6d49512e4d442b18c22a7f364"), (2, 1, "c886481abe17696bb7a1828cd626445c"),
            (3, 1, "3350e7574181d46fee234c4651760f03"), (4, 0, "6ab66249763d5c62f26d3e877372d751"),
            (4, 1, "c5574a8afbed1bce3d6b893a0dbf7049"), (5, 0, "33d991cfbcd56bcefc1af098e7581bf9"),
        ];
        foreach ((int j, int i, string value) in table)
        {
            Assert.Equal(value, Convert.ToHexStringLower(Bytes(_engine.E(in k, j, i, x))));
        }

        byte[] nonce = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        Assert.Equal("753eb3a40ceceaa59b9e49c15db5f10c", Convert.ToHexStringLower(Bytes(_engine.Hash(in k, 0, nonce, null))));
        Assert.Equal("753eb3a40ceceaa59b9e49c15db5f10c", Convert.ToHexStringLower(Bytes(_engine.Hash(in k, 0, nonce, []))));
        Assert.Equal("753eb3a40ceceaa59b9e49c15db5f10c", Convert.ToHexStringLower(Bytes(_engine.HashProfile(in k, Vector128.Create(nonce)))));
        Assert.Equal("e10facfa0e91a2687ade1ccc289118df", Convert.ToHexStringLower(Bytes(_engine.Hash(in k, 0, nonce, [[]]))));
    }

    [Fact]
    public void Encrypting_135_zero_bytes_matches_the_worked_trace()
    {
        byte[] key = Hex(Cases("encrypt_no_ad.json")[0], "k");
        byte[] nonce = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        byte[] c = _engine.Encrypt(key, nonce, null, 0, new byte[135]);
        Assert.Equal("c8c5d4d84235c20205a644db9cf872cc", Convert.ToHexStringLower(c.AsSpan(0, 16)));
        Assert.Equal("ac6ec32a947bb12d329b8eb76b549bf4", Convert.ToHexStringLower(c.AsSpan(135 - 16)));
        Assert.Equal("976e0aead47574724ed6eae9da42aaeb0259e64d5b1e4b13207ebee4afc8abb4", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(c)));

        var profile = new byte[135];
        _engine.Profile(key, nonce, profile, profile, decipher: false);
        Assert.Equal(c, profile);
    }

    [Fact]
    public void Profile_in_place_equals_out_of_place_for_every_length_up_to_600()
    {
        var rng = new Random(600);
        byte[] key = new byte[48], nonce = new byte[16];
        rng.NextBytes(key);
        rng.NextBytes(nonce);
        for (int n = 0; n <= 600; n++)
        {
            byte[] m = new byte[n];
            rng.NextBytes(m);
            byte[] outOfPlace = new byte[n];
            _engine.Profile(key, nonce, m, outOfPlace, decipher: false);
            byte[] inPlace = (byte[])m.Clone();
            _engine.Profile(key, nonce, inPlace, inPlace, decipher: false);
            Assert.True(outOfPlace.AsSpan().SequenceEqual(inPlace), $"encrypt length {n}");

            _engine.Profile(key, nonce, inPlace, inPlace, decipher: true);
            Assert.True(m.AsSpan().SequenceEqual(inPlace), $"in-place decrypt length {n}");
            byte[] back = new byte[n];
            _engine.Profile(key, nonce, outOfPlace, back, decipher: true);
            Assert.True(m.AsSpan().SequenceEqual(back), $"decrypt length {n}");
        }
    }
}

/// <summary>One AES-round backend of the AEZ engine, so a test class can run against either.</summary>
internal abstract class AezBackend
{
    public static readonly AezBackend Hardware = new Of<AezHardwareRound>();
    public static readonly AezBackend Portable = new Of<AezPortableRound>();

    public abstract Vector128<byte> E(in AezKey key, int j, long i, Vector128<byte> x);

    public abstract Vector128<byte> Hash(in AezKey key, ulong tauBits, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData);

    public abstract Vector128<byte> HashProfile(in AezKey key, Vector128<byte> nonce);

    public abstract void Prf(in AezKey key, Vector128<byte> delta, Span<byte> output);

    public abstract void Profile(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output, bool decipher);

    public abstract byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData, int tau, ReadOnlySpan<byte> message);

    public abstract bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData, int tau, ReadOnlySpan<byte> ciphertext, out byte[]? message);

    private sealed class Of<TRound> : AezBackend
        where TRound : struct, IAezRound
    {
        public override Vector128<byte> E(in AezKey key, int j, long i, Vector128<byte> x) => AezEngine<TRound>.E(in key, j, i, x);

        public override Vector128<byte> Hash(in AezKey key, ulong tauBits, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData) =>
            AezEngine<TRound>.Hash(in key, tauBits, nonce, associatedData);

        public override Vector128<byte> HashProfile(in AezKey key, Vector128<byte> nonce) => AezEngine<TRound>.HashProfile(in key, nonce);

        public override void Prf(in AezKey key, Vector128<byte> delta, Span<byte> output) => AezEngine<TRound>.Prf(in key, delta, output);

        public override void Profile(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output, bool decipher) =>
            AezEngine<TRound>.Profile(key, nonce, input, output, decipher);

        public override byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData, int tau, ReadOnlySpan<byte> message) =>
            AezEngine<TRound>.Encrypt(key, nonce, associatedData, tau, message);

        public override bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData, int tau, ReadOnlySpan<byte> ciphertext, out byte[]? message) =>
            AezEngine<TRound>.TryDecrypt(key, nonce, associatedData, tau, ciphertext, out message);
    }
}
