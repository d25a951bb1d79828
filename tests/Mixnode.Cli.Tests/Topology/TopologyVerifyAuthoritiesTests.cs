using System.Text;
using Mixnode.Cli.Tests.Keygen;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Cli.Tests.Topology;

/// <summary>
/// <c>mixnode topology verify FILE --authorities authorities.json</c>: a consensus is valid with a threshold of
/// valid signatures of listed authorities, and the report says who signed, which threshold failed and which signers
/// are unknown.
/// </summary>
public sealed class TopologyVerifyAuthoritiesTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();
    private readonly Key[] _authorities;
    private readonly byte[] _payload;

    public TopologyVerifyAuthoritiesTests()
    {
        // Three authorities made with the operator's command; the payload is a real document of `topology sign`.
        _authorities = [.. Enumerable.Range(0, 3).Select(i =>
        {
            string keys = _dir.Combine($"auth-{i}");
            (int code, string text) = Run("authority", "keygen", "--dir", keys);
            Assert.True(code == 0, text);
            return KeyFile.ReadEd25519(Path.Combine(keys, "authority.key"));
        })];
        _payload = SignedNetworkDocument.Payload(OfflineDocument());
    }

    public void Dispose()
    {
        foreach (Key key in _authorities)
        {
            key.Dispose();
        }

        _dir.Dispose();
    }

    private string Consensus => _dir.Combine("consensus.json");

    private string AuthoritiesFile => _dir.Combine("authorities.json");

    [Fact]
    public void A_threshold_of_listed_signatures_is_valid_and_the_signers_are_named()
    {
        WriteAuthorities(threshold: 2);
        WriteConsensus(_authorities[0], _authorities[2]);
        (int code, string text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.True(code == 0, text);
        Assert.Contains("signed by 2 of 3 listed authorities (threshold 2): auth-0, auth-2", text, StringComparison.Ordinal);
        Assert.Contains("nodes: 3", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Below_the_threshold_says_which_threshold_failed_and_who_did_not_sign()
    {
        WriteAuthorities(threshold: 2);
        WriteConsensus(_authorities[1]);
        (int code, string text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.Equal(1, code);
        Assert.Contains("(below_threshold)", text, StringComparison.Ordinal);
        Assert.Contains("threshold: 1 valid signature of listed authorities, 2 of 3 needed", text, StringComparison.Ordinal);
        Assert.Contains("signed validly by: auth-1", text, StringComparison.Ordinal);
        Assert.Contains("no valid signature from: auth-0, auth-2", text, StringComparison.Ordinal);

        // With a threshold of all three, two signatures are not enough.
        WriteAuthorities(threshold: 3);
        WriteConsensus(_authorities[0], _authorities[1]);
        (code, text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.Equal(1, code);
        Assert.Contains("threshold: 2 valid signatures of listed authorities, 3 of 3 needed", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_by_an_unlisted_key_is_named_and_not_counted()
    {
        WriteAuthorities(threshold: 2);
        using var stranger = new Key(SignatureAlgorithm.Ed25519);
        WriteConsensus(_authorities[0], stranger);
        string strangerKey = Convert.ToBase64String(stranger.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        (int code, string text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.Equal(1, code);
        Assert.Contains($"unknown signer: a signature by {strangerKey}, which is not in the authorities file", text, StringComparison.Ordinal);
        Assert.Contains("threshold: 1 valid signature of listed authorities, 2 of 3 needed", text, StringComparison.Ordinal);

        // With the threshold met, an extra unknown signer is only a note.
        WriteConsensus(_authorities[0], _authorities[1], stranger);
        (code, text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.True(code == 0, text);
        Assert.Contains($"note: a signature by {strangerKey}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_payload_is_a_bad_signature_for_every_authority()
    {
        WriteAuthorities(threshold: 2);
        WriteConsensus(_authorities[0], _authorities[1], _authorities[2]);
        string tampered = File.ReadAllText(Consensus).Replace("\"mean_delay_ms\": 50", "\"mean_delay_ms\": 90", StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(Consensus), tampered);
        File.WriteAllText(Consensus, tampered, new UTF8Encoding(false));
        (int code, string text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.Equal(1, code);
        Assert.Contains("(bad_signature)", text, StringComparison.Ordinal);
        Assert.Contains("signed validly by: none", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_authorities_file_or_document_file_is_named()
    {
        WriteConsensus(_authorities[0], _authorities[1]);

        File.WriteAllText(AuthoritiesFile, "{\"authorities\": [");
        (int code, string text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.Equal(2, code);
        Assert.Contains($"--authorities {AuthoritiesFile}: authorities file: not valid JSON", text, StringComparison.Ordinal);

        // A threshold below a majority is refused as the node refuses it.
        WriteAuthorities(threshold: 1);
        (code, text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.Equal(2, code);
        Assert.Contains("threshold 1 for 3 authorities", text, StringComparison.Ordinal);

        (code, text) = Run("topology", "verify", Consensus, "--authorities", _dir.Combine("missing.json"));
        Assert.Equal(2, code);
        Assert.Contains("cannot read the authorities file", text, StringComparison.Ordinal);

        WriteAuthorities(threshold: 2);
        (code, text) = Run("topology", "verify", _dir.Combine("missing.json"), "--authorities", AuthoritiesFile);
        Assert.Equal(1, code);
        Assert.Contains("cannot read the network document", text, StringComparison.Ordinal);

        File.WriteAllText(Consensus, "not json");
        (code, text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile);
        Assert.Equal(1, code);
        Assert.Contains("invalid: not valid JSON", text, StringComparison.Ordinal);
        Assert.Contains("(malformed)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_one_of_authority_pub_and_authorities_is_required()
    {
        WriteAuthorities(threshold: 2);
        WriteConsensus(_authorities[0], _authorities[1]);
        (int code, string text) = Run("topology", "verify", Consensus);
        Assert.NotEqual(0, code);
        Assert.Contains("give exactly one of --authority-pub", text, StringComparison.Ordinal);

        (code, text) = Run("topology", "verify", Consensus, "--authorities", AuthoritiesFile, "--authority-pub", _dir.Combine("auth-0", "authority.pub"));
        Assert.NotEqual(0, code);
        Assert.Contains("give exactly one of --authority-pub", text, StringComparison.Ordinal);
    }

    private void WriteAuthorities(int threshold)
    {
        // Built by hand, not through AuthoritySet, so that a threshold below a majority can be written.
        var text = new StringBuilder().Append("{\"threshold\": ").Append(threshold).Append(", \"authorities\": [");
        for (int i = 0; i < _authorities.Length; i++)
        {
            string key = Convert.ToBase64String(_authorities[i].PublicKey.Export(KeyBlobFormat.RawPublicKey));
            text.Append(i == 0 ? "" : ", ").Append($"{{\"name\": \"auth-{i}\", \"address\": \"127.0.0.1:{31000 + i}\", \"public_key\": \"{key}\"}}");
        }

        File.WriteAllText(AuthoritiesFile, text.Append("]}\n").ToString());
    }

    private void WriteConsensus(params Key[] signers)
    {
        byte[] file = SignedNetworkDocument.Assemble(_payload, signers.Select(k => new KeyValuePair<Bytes32, byte[]>(
            Bytes32.From(k.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            SignedNetworkDocument.SignPayload(_payload, k))));
        File.WriteAllBytes(Consensus, file);
    }

    private NetworkDocument OfflineDocument()
    {
        string offline = _dir.Combine("offline");
        Assert.Equal(0, Run("topology", "keygen", "--out", offline).Code);
        string[] descriptors =
        [
            Node("provider-0", 30000, "--role", "provider"),
            Node("mix-0-0", 30001, "--layer", "0"),
            Node("mix-1-0", 30002, "--layer", "1"),
        ];
        string signed = _dir.Combine("offline.json");
        (int code, string text) = Run(["topology", "sign", "--authority-key", Path.Combine(offline, "authority.key"), "--out", signed, .. descriptors]);
        Assert.True(code == 0, text);
        return SignedNetworkDocument.ReadAndVerify(signed, Bytes32.From(KeyFile.ReadPublic(Path.Combine(offline, "authority.pub"), KeyType.Ed25519)));
    }

    private string Node(string name, int port, params string[] options)
    {
        string dir = _dir.Combine(name);
        (int code, string text) = Run(["keygen", "--dir", dir, "--address", $"127.0.0.1:{port}", .. options]);
        Assert.True(code == 0, text);
        return Path.Combine(dir, "descriptor.json");
    }

    private static (int Code, string Text) Run(params string[] args)
    {
        using var output = new StringWriter();
        int code = MixnodeCommand.Run(args, output);
        return (code, output.ToString());
    }
}
