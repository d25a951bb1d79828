using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;
using NSec.Cryptography;
using Mixnode.Links.Wire;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Node.Keys;

/// <summary>
/// A node's key directory: <c>identity.key</c>/<c>identity.pub</c> (Ed25519), <c>link.key</c>/<c>link.pub</c>
/// (X25519, the Noise static key), <c>mix/&lt;epoch&gt;.key</c> (X25519, one per epoch) and <c>descriptor.json</c>.
/// Private files are 0600 and the directories 0700. Public keys are always derived from the private files, which are
/// the truth; the .pub files are conveniences for operators and are rewritten when they disagree.
/// </summary>
internal sealed class NodeKeyStore
{
    public const string IdentityKeyFile = "identity.key";
    public const string IdentityPublicFile = "identity.pub";
    public const string LinkKeyFile = "link.key";
    public const string LinkPublicFile = "link.pub";
    public const string MixDirectory = "mix";
    public const string DescriptorFile = "descriptor.json";
    public const string ReplayMarkerExtension = ".replay";

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public NodeKeyStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string DescriptorPath => Path.Combine(Directory, DescriptorFile);

    public string MixKeyPath(long epoch) => Path.Combine(Directory, MixDirectory, epoch.ToString(CultureInfo.InvariantCulture) + ".key");

    /// <summary>
    /// <c>mix/&lt;epoch&gt;.replay</c>: written once the key's replay filter exists, before the key accepts its first
    /// packet, and deleted with the key. It lives beside the key rather than in the state directory so that losing the
    /// state directory (or one filter in it) cannot pass for a key that never had a filter (docs/replay-filter.md).
    /// </summary>
    public string ReplayMarkerPath(long epoch) => Path.Combine(Directory, MixDirectory, epoch.ToString(CultureInfo.InvariantCulture) + ReplayMarkerExtension);

    public bool MixKeyExists(long epoch) => File.Exists(MixKeyPath(epoch));

    /// <summary>The identity of the replay filter made for the key of <paramref name="epoch"/>, or null if none was recorded.</summary>
    public byte[]? TryReadReplayMarker(long epoch)
    {
        string path = ReplayMarkerPath(epoch);
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new KeyFileException($"replay filter marker {path} is damaged (expected a hex identity): restore it or retire the key of epoch {epoch}");
        }
    }

    /// <summary>Records (atomically, flushed) that the key of <paramref name="epoch"/> has the replay filter <paramref name="identity"/>.</summary>
    public void WriteReplayMarker(long epoch, ReadOnlySpan<byte> identity) =>
        KeyFile.WriteAtomically(ReplayMarkerPath(epoch), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(identity) + "\n"), KeyFile.PrivateMode);

    /// <summary>Creates the directory tree (0700) when missing; keygen calls this, a running node does not.</summary>
    public void CreateDirectories()
    {
        foreach (string path in new[] { Directory, Path.Combine(Directory, MixDirectory) })
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(path);
            }
            else
            {
                System.IO.Directory.CreateDirectory(path, DirectoryMode);
            }
        }
    }

    /// <summary>Creates the identity key if there is none; (re)writes identity.pub. True if a key was created.</summary>
    public bool EnsureIdentityKey()
    {
        string path = Path.Combine(Directory, IdentityKeyFile);
        bool created = false;
        if (!File.Exists(path))
        {
            using var key = new Key(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);
            KeyFile.WriteEd25519(path, key);
            created = true;
        }

        WritePublicIfDifferent(IdentityPublicFile, KeyType.Ed25519, IdentityPublicKey());
        return created;
    }

    /// <summary>Creates the link key if there is none; (re)writes link.pub. True if a key was created.</summary>
    public bool EnsureLinkKey()
    {
        string path = Path.Combine(Directory, LinkKeyFile);
        bool created = false;
        if (!File.Exists(path))
        {
            using X25519PrivateKey key = X25519PrivateKey.Generate();
            KeyFile.WriteX25519(path, key);
            created = true;
        }

        WritePublicIfDifferent(LinkPublicFile, KeyType.X25519, LinkPublicKey());
        return created;
    }

    /// <summary>The Ed25519 identity key; the caller disposes it.</summary>
    public Key LoadIdentityKey() => KeyFile.ReadEd25519(Path.Combine(Directory, IdentityKeyFile));

    /// <summary>The X25519 link (Noise static) key; the caller disposes it.</summary>
    public X25519PrivateKey LoadLinkKey()
    {
        // The node loads this first at start: a key directory open to others is refused before any key is read.
        KeyDirectory.CheckPrivate(Directory, MixDirectory);
        return KeyFile.ReadX25519(Path.Combine(Directory, LinkKeyFile));
    }

    public Bytes32 IdentityPublicKey()
    {
        using Key key = LoadIdentityKey();
        return Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public Bytes32 LinkPublicKey()
    {
        using X25519PrivateKey key = LoadLinkKey();
        return Bytes32.From(key.PublicKey);
    }

    /// <summary>Creates the mix keys of epochs [first, first + count) that do not exist yet; returns the epochs created.</summary>
    public IReadOnlyList<long> GenerateMixKeys(long first, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var created = new List<long>();
        for (long epoch = first; epoch < first + count; epoch++)
        {
            string path = MixKeyPath(epoch);
            if (!File.Exists(path))
            {
                // A marker left by an earlier key of this epoch (pruned, the clock since stepped back) is not this key's.
                File.Delete(ReplayMarkerPath(epoch));
                using X25519PrivateKey key = X25519PrivateKey.Generate();
                KeyFile.WriteX25519(path, key);
                created.Add(epoch);
            }
        }

        return created;
    }

    /// <summary>The mix key of <paramref name="epoch"/>, or null if its file does not exist.</summary>
    public MixKey? TryLoadMixKey(long epoch)
    {
        string path = MixKeyPath(epoch);
        return File.Exists(path) ? new MixKey(epoch, KeyFile.ReadX25519(path)) : null;
    }

    public MixKey LoadOrGenerateMixKey(long epoch)
    {
        GenerateMixKeys(epoch, 1);
        return TryLoadMixKey(epoch) ?? throw new KeyFileException($"mix key file {MixKeyPath(epoch)} vanished after it was written");
    }

    /// <summary>The epochs that have a mix key file, ascending.</summary>
    public IReadOnlyList<long> MixKeyEpochs()
    {
        string directory = Path.Combine(Directory, MixDirectory);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var epochs = new List<long>();
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, "*.key"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long epoch))
            {
                epochs.Add(epoch);
            }
        }

        epochs.Sort();
        return epochs;
    }

    /// <summary>Public mix keys of every epoch that has a key file, derived from the private keys.</summary>
    public SortedDictionary<long, Bytes32> MixPublicKeys()
    {
        var keys = new SortedDictionary<long, Bytes32>();
        foreach (long epoch in MixKeyEpochs())
        {
            using MixKey? key = TryLoadMixKey(epoch);
            if (key is not null)
            {
                keys[epoch] = key.PublicKey;
            }
        }

        return keys;
    }

    /// <summary>
    /// Deletes mix key files of epochs before <paramref name="currentEpoch"/> − 1: the previous epoch's key is kept
    /// because packets sent just before a boundary still arrive after it. Returns the epochs deleted.
    /// </summary>
    public IReadOnlyList<long> PruneMixKeys(long currentEpoch)
    {
        var deleted = new List<long>();
        foreach (long epoch in MixKeyEpochs())
        {
            if (epoch < currentEpoch - 1)
            {
                // Marker first: interrupted between the two, the key is still there and its filter simply reopens.
                File.Delete(ReplayMarkerPath(epoch));
                File.Delete(MixKeyPath(epoch));
                deleted.Add(epoch);
            }
        }

        DeleteStaleTemporaries();
        return deleted;
    }

    /// <summary>How old a leftover temporary file in <c>mix/</c> must be before rotation deletes it.</summary>
    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Deletes what an interrupted atomic write left in <c>mix/</c> (<c>.&lt;name&gt;.&lt;random&gt;.tmp</c>): a
    /// key that was never renamed into place was never used, but it is still a private key on disk. Only files older
    /// than <see cref="StaleTemporaryAge"/>, so a <c>mixnode keygen</c> writing beside the running node is not cut short.
    /// </summary>
    private void DeleteStaleTemporaries()
    {
        string directory = Path.Combine(Directory, MixDirectory);
        if (!System.IO.Directory.Exists(directory))
        {
            return;
        }

        DateTime cutoff = DateTime.UtcNow - StaleTemporaryAge;
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff)
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>The descriptor of this node from its keys (mix keys: every key file present).</summary>
    public NodeDescriptor BuildDescriptor(string name, IEnumerable<string> addresses, NodeRole role, int layer) =>
        new(name, IdentityPublicKey(), LinkPublicKey(), addresses, role, layer, MixPublicKeys());

    /// <summary>The same descriptor with the mix keys as they are now on disk (after a rotation).</summary>
    public NodeDescriptor RefreshDescriptor(NodeDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return new(descriptor.Name, descriptor.IdentityKey, descriptor.LinkKey, descriptor.Addresses, descriptor.Role, descriptor.Layer, MixPublicKeys());
    }

    public NodeDescriptor? TryReadDescriptor() =>
        File.Exists(DescriptorPath) ? NodeDescriptor.Parse(File.ReadAllText(DescriptorPath)) : null;

    public void WriteDescriptor(NodeDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        KeyFile.WriteAtomically(DescriptorPath, Encoding.UTF8.GetBytes(descriptor.ToJson()), KeyFile.PublicMode);
    }

    private void WritePublicIfDifferent(string file, KeyType type, Bytes32 key)
    {
        string path = Path.Combine(Directory, file);
        try
        {
            if (File.Exists(path) && CryptographicOperations.FixedTimeEquals(KeyFile.ReadPublic(path, type), key.AsReadOnlySpan()))
            {
                return;
            }
        }
        catch (KeyFileException)
        {
            // A damaged public file is simply replaced: it is derived data.
        }

        KeyFile.WritePublic(path, type, key.AsReadOnlySpan());
    }
}
