using Mixnode.Client;
using Mixnode.Pki;

namespace Mixnode.Fuzz;

/// <summary>
/// The files an operator or a client hands the code: key files (<see cref="KeyFile"/>, read from a real file so the
/// size limit and the mode check are part of it) and <c>authorities.json</c> (<see cref="AuthoritySet.Parse"/>, as
/// nodes and authorities read it, and <see cref="DirectoryAuthorities.Parse"/>, as the client library reads it).
/// Input: byte 0, bit 2 clear: a key file, bits 0..1 its kind (<see cref="Kinds"/>); bit 2 set: an authorities file.
/// Then the file. Documented refusals: <see cref="KeyFileException"/>, <see cref="TopologyException"/>,
/// <see cref="ClientException"/>; anything else is a crash. A key that reads writes back (the writer's file) and reads
/// again equal; an authority list that parses writes back (<see cref="AuthoritySet.ToUtf8Json"/>) and parses again
/// equal, and the client library accepts exactly the lists the node's parser accepts, with the same contents.
/// </summary>
internal sealed class KeyFilesTarget : IFuzzTarget
{
    public const int AuthoritiesMode = 4;

    private static readonly Lazy<string> s_directory = new(CreateDirectory);

    /// <summary>Key kinds by the low two bits of the mode byte.</summary>
    public static IReadOnlyList<(KeyType Type, bool IsPrivate)> Kinds { get; } =
        [(KeyType.X25519, true), (KeyType.X25519, false), (KeyType.Ed25519, true), (KeyType.Ed25519, false)];

    public string Name => "keyfiles";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        if ((input[0] & AuthoritiesMode) != 0)
        {
            Authorities(input[1..].ToArray());
        }
        else
        {
            KeyFileRoundTrip(Kinds[input[0] & 3], input[1..]);
        }
    }

    /// <summary>For the seed check: throws the parser's refusal when the seed's file is not accepted.</summary>
    public static string? Check(byte[] seed)
    {
        if ((seed[0] & AuthoritiesMode) != 0)
        {
            _ = AuthoritySet.Parse(seed[1..]);
            _ = DirectoryAuthorities.Parse(seed[1..]);
        }
        else
        {
            string path = Path.Combine(s_directory.Value, "seed.key");
            File.WriteAllBytes(path, seed[1..]);
            RestrictToOwner(path);
            _ = Read(path, Kinds[seed[0] & 3]);
        }

        return null;
    }

    private static void KeyFileRoundTrip((KeyType Type, bool IsPrivate) kind, ReadOnlySpan<byte> file)
    {
        string path = Path.Combine(s_directory.Value, "input.key");
        File.WriteAllBytes(path, file.ToArray());
        RestrictToOwner(path);
        byte[] key;
        try
        {
            key = Read(path, kind);
        }
        catch (KeyFileException)
        {
            return;
        }

        string again = Path.Combine(s_directory.Value, "again.key");
        if (kind.IsPrivate)
        {
            KeyFile.WritePrivate(again, kind.Type, key);
        }
        else
        {
            KeyFile.WritePublic(again, kind.Type, key);
        }

        byte[] reread = Read(again, kind);
        if (!reread.AsSpan().SequenceEqual(key))
        {
            throw new InvariantViolatedException($"a {KeyFile.Label(kind.Type, kind.IsPrivate)} written back reads as another key");
        }

        if (kind.IsPrivate)
        {
            // The typed readers the node and the authority use build a key object from the same bytes.
            if (kind.Type == KeyType.X25519)
            {
                using Sphinx.Crypto.X25519PrivateKey x25519 = KeyFile.ReadX25519(path);
            }
            else
            {
                using NSec.Cryptography.Key ed25519 = KeyFile.ReadEd25519(path);
            }
        }
    }

    private static byte[] Read(string path, (KeyType Type, bool IsPrivate) kind)
    {
        if (!kind.IsPrivate)
        {
            return KeyFile.ReadPublic(path, kind.Type);
        }

        byte[] key = new byte[KeyFile.KeyLength];
        KeyFile.ReadPrivate(path, kind.Type, key);
        return key;
    }

    private static void Authorities(byte[] json)
    {
        AuthoritySet? set;
        try
        {
            set = AuthoritySet.Parse(json);
        }
        catch (TopologyException)
        {
            set = null;
        }

        DirectoryAuthorities? client;
        try
        {
            client = DirectoryAuthorities.Parse(json);
        }
        catch (ClientException)
        {
            client = null;
        }

        if ((set is null) != (client is null))
        {
            throw new InvariantViolatedException($"the node's parser {(set is null ? "refuses" : "accepts")} an authorities file the client library {(client is null ? "refuses" : "accepts")}");
        }

        if (set is null || client is null)
        {
            return;
        }

        byte[] written = set.ToUtf8Json();
        AuthoritySet reparsed = AuthoritySet.Parse(written);
        if (!Same(set, reparsed) || !reparsed.ToUtf8Json().AsSpan().SequenceEqual(written))
        {
            throw new InvariantViolatedException($"an authorities file ({set}) written back parses as another ({reparsed})");
        }

        var listed = new DirectoryAuthorities(client.Authorities, client.Threshold);
        if (!Same(set, client) || !Same(set, listed))
        {
            throw new InvariantViolatedException($"the client library reads an authorities file ({client.Threshold} of {client.Authorities.Count}) otherwise than the node ({set})");
        }
    }

    /// <summary>Mode 0600, which a private key file must have to be read at all.</summary>
    private static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, KeyFile.PrivateMode);
        }
    }

    private static bool Same(AuthoritySet a, DirectoryAuthorities b) =>
        a.Threshold == b.Threshold && a.Authorities.Length == b.Authorities.Count
        && a.Authorities.Zip(b.Authorities).All(p => p.First.Name == p.Second.Name && p.First.Address == p.Second.Address && Convert.ToBase64String(p.First.PublicKey.AsReadOnlySpan()) == p.Second.PublicKey);

    private static bool Same(AuthoritySet a, AuthoritySet b) =>
        a.Threshold == b.Threshold && a.Authorities.Length == b.Authorities.Length
        && a.Authorities.Zip(b.Authorities).All(p => p.First.Name == p.Second.Name && p.First.Address == p.Second.Address && p.First.PublicKey == p.Second.PublicKey);

    private static string CreateDirectory()
    {
        // tmpfs when there is one: every run writes two small files and the writer fsyncs them.
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        const string Prefix = "mixnode-fuzz-keyfiles-";

        // afl-fuzz ends its target with SIGKILL, which skips ProcessExit: remove what earlier runs left behind.
        foreach (string stale in Directory.EnumerateDirectories(root, Prefix + "*"))
        {
            if (OperatingSystem.IsLinux() && int.TryParse(Path.GetFileName(stale)[Prefix.Length..], out int pid) && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(stale, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        string directory = Path.Combine(root, Prefix + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        return directory;
    }
}
