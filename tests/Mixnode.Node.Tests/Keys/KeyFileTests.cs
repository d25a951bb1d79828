using System.Security.Cryptography;
using System.Text;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Sphinx.Crypto;
using NSec.Cryptography;

namespace Mixnode.Node.Tests.Keys;

public sealed class KeyFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Private_files_are_created_0600_and_round_trip()
    {
        string path = _dir.Combine("link.key");
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        KeyFile.WriteX25519(path, key);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using X25519PrivateKey read = KeyFile.ReadX25519(path);
        Assert.True(read.PublicKey.SequenceEqual(key.PublicKey));
        string text = File.ReadAllText(path);
        Assert.StartsWith("-----BEGIN MIXNODE X25519 PRIVATE KEY-----\n", text, StringComparison.Ordinal);
        Assert.EndsWith("-----END MIXNODE X25519 PRIVATE KEY-----\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Ed25519_keys_round_trip_and_still_sign()
    {
        string path = _dir.Combine("identity.key");
        using var key = new Key(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);
        KeyFile.WriteEd25519(path, key);
        using Key read = KeyFile.ReadEd25519(path);
        byte[] signature = SignatureAlgorithm.Ed25519.Sign(read, "hello"u8);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key.PublicKey, "hello"u8, signature));
    }

    [Fact]
    public void Public_files_are_0644_and_round_trip()
    {
        string path = _dir.Combine("link.pub");
        byte[] key = RandomNumberGenerator.GetBytes(32);
        KeyFile.WritePublic(path, KeyType.X25519, key);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(KeyFile.PublicMode, File.GetUnixFileMode(path));
        }

        Assert.Equal(key, KeyFile.ReadPublic(path, KeyType.X25519));
    }

    [Fact]
    public void A_private_file_readable_by_others_is_refused_with_the_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = _dir.Combine("mix.key");
        using (X25519PrivateKey key = X25519PrivateKey.Generate())
        {
            KeyFile.WriteX25519(path, key);
        }

        File.SetUnixFileMode(path, KeyFile.PublicMode);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.ReadX25519(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", e.Message, StringComparison.Ordinal);
        Assert.Contains("0644", e.Message, StringComparison.Ordinal);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);
        Assert.Throws<KeyFileException>(() => KeyFile.ReadX25519(path));

        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        using X25519PrivateKey ok = KeyFile.ReadX25519(path);
    }

    [Fact]
    public void Replacing_a_file_is_atomic_and_leaves_no_temporary_files()
    {
        string path = _dir.Combine("link.key");
        using X25519PrivateKey first = X25519PrivateKey.Generate();
        using X25519PrivateKey second = X25519PrivateKey.Generate();
        KeyFile.WriteX25519(path, first);
        KeyFile.WriteX25519(path, second);
        using X25519PrivateKey read = KeyFile.ReadX25519(path);
        Assert.True(read.PublicKey.SequenceEqual(second.PublicKey));
        Assert.Equal(["link.key"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(KeyFile.PrivateMode, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_missing_file_names_the_file()
    {
        string path = _dir.Combine("nope.key");
        var e = Assert.Throws<KeyFileException>(() => KeyFile.ReadX25519(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wrong_key_type_is_refused()
    {
        string path = _dir.Combine("identity.key");
        using var key = new Key(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);
        KeyFile.WriteEd25519(path, key);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.ReadX25519(path));
        Assert.Contains("holds a MIXNODE ED25519 PRIVATE KEY, expected a MIXNODE X25519 PRIVATE KEY", e.Message, StringComparison.Ordinal);

        string pub = _dir.Combine("identity.pub");
        KeyFile.WritePublic(pub, KeyType.Ed25519, new byte[32]);
        Assert.Throws<KeyFileException>(() => KeyFile.ReadPublic(pub, KeyType.X25519));
    }

    [Theory]
    [InlineData("not a key at all\n", "no -----BEGIN line")]
    [InlineData("-----BEGIN MIXNODE X25519 PUBLIC KEY-----\nAAAA\n", "missing -----END line")]
    [InlineData("-----BEGIN MIXNODE X25519 PUBLIC KEY-----\n!!!notbase64!!!\n-----END MIXNODE X25519 PUBLIC KEY-----\n", "not valid base64")]
    [InlineData("-----BEGIN MIXNODE X25519 PUBLIC KEY-----\nAAAA\n-----END MIXNODE X25519 PUBLIC KEY-----\n", "holds 3 bytes")]
    [InlineData("-----BEGIN MIXNODE X25519 PUBLIC KEY-----\nAAAA\n-----END MIXNODE ED25519 PUBLIC KEY-----\n", "does not match")]
    [InlineData("-----BEGIN MIXNODE X25519 PUBLIC KEY-----\nAAAA\n-----END MIXNODE X25519 PUBLIC KEY-----\nmore\n", "text after its END line")]
    public void Malformed_files_get_a_specific_message(string content, string expected)
    {
        string path = _dir.Combine("bad.pub");
        File.WriteAllText(path, content, Encoding.ASCII);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.ReadPublic(path, KeyType.X25519));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_line_endings_are_accepted()
    {
        string path = _dir.Combine("windows.pub");
        byte[] key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(path, $"-----BEGIN MIXNODE X25519 PUBLIC KEY-----\r\n{Convert.ToBase64String(key)}\r\n-----END MIXNODE X25519 PUBLIC KEY-----\r\n");
        Assert.Equal(key, KeyFile.ReadPublic(path, KeyType.X25519));
    }
}
