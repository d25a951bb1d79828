using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Keys;

public sealed class NodeKeyStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Ensure_creates_keys_once_and_keeps_them()
    {
        var store = new NodeKeyStore(_dir.Combine("node"));
        store.CreateDirectories();
        Assert.True(store.EnsureIdentityKey());
        Assert.True(store.EnsureLinkKey());
        Bytes32 identity = store.IdentityPublicKey();
        Bytes32 link = store.LinkPublicKey();
        Assert.False(store.EnsureIdentityKey());
        Assert.False(store.EnsureLinkKey());
        Assert.Equal(identity, store.IdentityPublicKey());
        Assert.Equal(link, store.LinkPublicKey());
        Assert.Equal(identity, Bytes32.From(KeyFile.ReadPublic(_dir.Combine("node", "identity.pub"), KeyType.Ed25519)));
        Assert.Equal(link, Bytes32.From(KeyFile.ReadPublic(_dir.Combine("node", "link.pub"), KeyType.X25519)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(KeyFile.PrivateMode, File.GetUnixFileMode(_dir.Combine("node", "identity.key")));
            Assert.Equal(KeyFile.PrivateMode, File.GetUnixFileMode(_dir.Combine("node", "link.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir.Combine("node")));
        }
    }

    [Fact]
    public void Mix_keys_are_generated_for_a_range_listed_and_pruned()
    {
        var store = new NodeKeyStore(_dir.Path);
        store.CreateDirectories();
        Assert.Equal([10L, 11, 12], store.GenerateMixKeys(10, 3));
        Assert.Equal([13L], store.GenerateMixKeys(11, 3));
        Assert.Equal([10L, 11, 12, 13], store.MixKeyEpochs());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(KeyFile.PrivateMode, File.GetUnixFileMode(store.MixKeyPath(10)));
        }

        // Keeps the previous epoch: packets made just before the boundary still arrive.
        Assert.Equal([10L], store.PruneMixKeys(12));
        Assert.Equal([11L, 12, 13], store.MixKeyEpochs());
        Assert.Equal(3, store.MixPublicKeys().Count);
    }

    [Fact]
    public void A_stored_mix_key_loads_with_the_same_public_key()
    {
        var store = new NodeKeyStore(_dir.Path);
        store.CreateDirectories();
        using MixKey generated = store.LoadOrGenerateMixKey(5);
        using MixKey? loaded = store.TryLoadMixKey(5);
        Assert.NotNull(loaded);
        Assert.Equal(generated.PublicKey, loaded.PublicKey);
        Assert.Null(store.TryLoadMixKey(6));
    }

    [Fact]
    public void The_descriptor_is_built_from_the_keys_and_round_trips()
    {
        var store = new NodeKeyStore(_dir.Path);
        store.CreateDirectories();
        store.EnsureIdentityKey();
        store.EnsureLinkKey();
        store.GenerateMixKeys(100, 2);
        NodeDescriptor descriptor = store.BuildDescriptor("mix-a", ["127.0.0.1:30001", "[::1]:30001"], NodeRole.Mix, 1);
        store.WriteDescriptor(descriptor);
        NodeDescriptor read = store.TryReadDescriptor()!;
        Assert.Equal("mix-a", read.Name);
        Assert.Equal(NodeDescriptor.ComputeId(store.IdentityPublicKey().AsReadOnlySpan()), read.Id);
        Assert.Equal(store.LinkPublicKey(), read.LinkKey);
        Assert.Equal(1, read.Layer);
        Assert.Equal([100L, 101], read.MixKeys.Keys);
        Assert.Equal(descriptor.ToJson(), read.ToJson());
    }
}
