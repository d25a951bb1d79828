using System.Security.Cryptography;
using Mixnode.Authority.Configuration;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests.Support;

/// <summary>A node's keys and descriptor, enough to upload signed descriptors for any epoch.</summary>
internal sealed class TestNode
{
    public TestNode(string name, NodeRole role, int index, Bytes32? linkKey = null)
    {
        Name = name;
        Role = role;
        Identity = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        IdentityKey = Bytes32.From(Identity.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        LinkKey = linkKey ?? Bytes32.From(RandomNumberGenerator.GetBytes(32));
        Address = $"127.0.{index / 250}.{(index % 250) + 1}:{30000 + index}";
    }

    public string Name { get; }

    public NodeRole Role { get; }

    public Key Identity { get; }

    public Bytes32 IdentityKey { get; }

    public Bytes32 LinkKey { get; }

    public string Address { get; set; }

    public ListedNode Listed => new(Name, IdentityKey, Role);

    /// <summary>A descriptor with mix keys for <paramref name="epoch"/> and the two after it.</summary>
    public NodeDescriptor Descriptor(long epoch) => new(
        Name,
        IdentityKey,
        LinkKey,
        [Address],
        Role,
        Role == NodeRole.Mix ? 0 : NodeDescriptor.NoLayer,
        Enumerable.Range(0, 3).Select(i => new KeyValuePair<long, Bytes32>(epoch + i, MixKey(epoch + i))));

    public SignedDescriptor Upload(long epoch) => SignedDescriptor.Create(Descriptor(epoch), epoch, Identity);

    /// <summary>Deterministic per node and epoch, so two uploads for one epoch are the same bytes.</summary>
    private Bytes32 MixKey(long epoch) => Bytes32.From(SHA256.HashData([.. IdentityKey.AsReadOnlySpan(), .. BitConverter.GetBytes(epoch)]));
}
