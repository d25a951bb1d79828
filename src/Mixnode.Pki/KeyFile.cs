using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Mixnode.Sphinx.Crypto;
using NSec.Cryptography;

namespace Mixnode.Pki;

/// <summary>
/// Key files: PEM-like text, one 32-byte key in base64 between a BEGIN and an END line whose label names the
/// algorithm and the kind (<c>-----BEGIN MIXNODE X25519 PRIVATE KEY-----</c>). Not real PEM/PKCS#8: nothing else
/// needs to read these, and a fixed label makes a key of the wrong kind fail loudly instead of being misused.
/// </summary>
/// <remarks>
/// Private files are created with mode 0600 (never briefly wider), fsynced, and moved over the old file, so a crash
/// leaves either the old key or the new one. A private file that group or others may read is refused: the key may
/// already have leaked, and the operator should know. Secret bytes are zeroed once used.
/// </remarks>
internal static class KeyFile
{
    public const int KeyLength = 32;

    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    // A key file is a few lines; anything bigger is not ours and is not worth reading into memory.
    private const int MaxFileLength = 4096;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static string Label(KeyType type, bool isPrivate) =>
        $"MIXNODE {(type == KeyType.X25519 ? "X25519" : "ED25519")} {(isPrivate ? "PRIVATE" : "PUBLIC")} KEY";

    public static void WritePrivate(string path, KeyType type, ReadOnlySpan<byte> key) => Write(path, type, isPrivate: true, key);

    public static void WritePublic(string path, KeyType type, ReadOnlySpan<byte> key) => Write(path, type, isPrivate: false, key);

    /// <summary>Reads a private key into <paramref name="destination"/> (32 bytes); the caller zeroes it when done.</summary>
    public static void ReadPrivate(string path, KeyType type, Span<byte> destination) => Read(path, type, isPrivate: true, destination);

    public static byte[] ReadPublic(string path, KeyType type)
    {
        byte[] key = new byte[KeyLength];
        Read(path, type, isPrivate: false, key);
        return key;
    }

    public static void WriteX25519(string path, X25519PrivateKey key)
    {
        Span<byte> secret = stackalloc byte[KeyLength];
        try
        {
            key.ExportPrivateKey(secret);
            WritePrivate(path, KeyType.X25519, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public static X25519PrivateKey ReadX25519(string path)
    {
        Span<byte> secret = stackalloc byte[KeyLength];
        try
        {
            ReadPrivate(path, KeyType.X25519, secret);
            return new X25519PrivateKey(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Writes the 32-byte seed of an Ed25519 key (which must allow plaintext export).</summary>
    public static void WriteEd25519(string path, Key key)
    {
        Span<byte> seed = stackalloc byte[KeyLength];
        try
        {
            if (!key.TryExport(KeyBlobFormat.RawPrivateKey, seed, out int written) || written != KeyLength)
            {
                throw new KeyFileException($"cannot export the Ed25519 key for {path}");
            }

            WritePrivate(path, KeyType.Ed25519, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Reads an Ed25519 private key; it may be exported again (keygen rewrites public files from it).</summary>
    public static Key ReadEd25519(string path)
    {
        Span<byte> seed = stackalloc byte[KeyLength];
        try
        {
            ReadPrivate(path, KeyType.Ed25519, seed);
            return Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, Ed25519ExportableParameters);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public static KeyCreationParameters Ed25519ExportableParameters => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    /// <summary>
    /// Writes <paramref name="content"/> to a new file next to <paramref name="path"/> created with <paramref name="mode"/>,
    /// flushes it to disk, renames it over <paramref name="path"/> and flushes the directory: readers see the old file
    /// or the new one, never half, and after a crash the new one is there once this returned.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new KeyFileException($"{path} has no directory");
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        // The rename itself must survive a crash too: a key written, renamed and then lost with the directory entry
        // would be a node that comes back without the key it announced.
        DirectorySync.Flush(directory);
    }

    private static void Write(string path, KeyType type, bool isPrivate, ReadOnlySpan<byte> key)
    {
        CheckKeyLength(key.Length, path);
        string label = Label(type, isPrivate);
        byte[] begin = Encoding.ASCII.GetBytes($"-----BEGIN {label}-----\n");
        byte[] end = Encoding.ASCII.GetBytes($"\n-----END {label}-----\n");
        int base64Length = Base64.GetMaxEncodedToUtf8Length(KeyLength);

        // Pinned so the GC never leaves a copy of the encoded secret behind; zeroed below.
        byte[] text = GC.AllocateArray<byte>(begin.Length + base64Length + end.Length, pinned: true);
        try
        {
            begin.CopyTo(text, 0);
            Base64.EncodeToUtf8(key, text.AsSpan(begin.Length), out _, out int written);
            end.CopyTo(text, begin.Length + written);
            WriteAtomically(path, text.AsSpan(0, begin.Length + written + end.Length), isPrivate ? PrivateMode : PublicMode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }

    private static void Read(string path, KeyType type, bool isPrivate, Span<byte> destination)
    {
        CheckKeyLength(destination.Length, path);
        byte[] text = GC.AllocateArray<byte>(MaxFileLength + 1, pinned: true);
        try
        {
            int length = ReadFile(path, isPrivate, text);
            Parse(path, Label(type, isPrivate), text.AsSpan(0, length), destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }

    private static int ReadFile(string path, bool isPrivate, byte[] buffer)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException)
        {
            throw new KeyFileException($"key file {path} does not exist (create it with `mixnode keygen`)");
        }
        catch (DirectoryNotFoundException)
        {
            throw new KeyFileException($"key file {path} does not exist (its directory is missing)");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyFileException($"key file {path} cannot be read: {e.Message}", e);
        }

        using (handle)
        {
            // Checked on the open handle, not the path, so the file cannot be swapped between check and read.
            if (isPrivate && !OperatingSystem.IsWindows())
            {
                UnixFileMode mode = File.GetUnixFileMode(handle);
                if ((mode & GroupOrOthers) != 0)
                {
                    throw new KeyFileException(
                        $"private key file {path} is accessible by group or others (mode {FormatMode(mode)}); " +
                        $"the key may have leaked. Restrict it with `chmod 600 {path}` (and consider new keys)");
                }
            }

            int total = 0;
            while (total < buffer.Length)
            {
                int read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            if (total > MaxFileLength)
            {
                throw new KeyFileException($"key file {path} is larger than {MaxFileLength} bytes: not a Mixnode key file");
            }

            return total;
        }
    }

    private static void Parse(string path, string label, ReadOnlySpan<byte> text, Span<byte> destination)
    {
        const string Begin = "-----BEGIN ";
        const string End = "-----END ";
        Span<byte> base64 = stackalloc byte[MaxFileLength];
        int base64Length = 0;
        string? begin = null;
        string? end = null;
        try
        {
            foreach (Range range in text.Split((byte)'\n'))
            {
                ReadOnlySpan<byte> line = text[range].Trim(" \t\r"u8);
                if (line.IsEmpty)
                {
                    continue;
                }

                if (end is not null)
                {
                    throw new KeyFileException($"key file {path} has text after its END line");
                }

                if (line.StartsWith("-----"u8))
                {
                    string marker = Encoding.ASCII.GetString(line);
                    if (begin is null && marker.StartsWith(Begin, StringComparison.Ordinal))
                    {
                        begin = marker[Begin.Length..].TrimEnd('-');
                    }
                    else if (begin is not null && marker.StartsWith(End, StringComparison.Ordinal))
                    {
                        end = marker[End.Length..].TrimEnd('-');
                    }
                    else
                    {
                        throw new KeyFileException($"key file {path} is not a Mixnode key file (unexpected line \"{Truncate(marker)}\")");
                    }

                    continue;
                }

                if (begin is null)
                {
                    throw new KeyFileException($"key file {path} is not a Mixnode key file (no -----BEGIN line)");
                }

                line.CopyTo(base64[base64Length..]);
                base64Length += line.Length;
            }

            if (begin is null || end is null)
            {
                throw new KeyFileException($"key file {path} is not a Mixnode key file (missing {(begin is null ? "-----BEGIN" : "-----END")} line)");
            }

            if (begin != end)
            {
                throw new KeyFileException($"key file {path} is malformed: BEGIN {begin} does not match END {end}");
            }

            if (begin != label)
            {
                throw new KeyFileException($"key file {path} holds a {begin}, expected a {label}");
            }

            Span<byte> decoded = stackalloc byte[Base64.GetMaxDecodedFromUtf8Length(MaxFileLength)];
            try
            {
                if (Base64.DecodeFromUtf8(base64[..base64Length], decoded, out _, out int written) != System.Buffers.OperationStatus.Done)
                {
                    throw new KeyFileException($"key file {path} is malformed: the key is not valid base64");
                }

                if (written != KeyLength)
                {
                    throw new KeyFileException($"key file {path} holds {written} bytes, a {label} has {KeyLength}");
                }

                decoded[..KeyLength].CopyTo(destination);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(decoded);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(base64);
        }
    }

    private static void CheckKeyLength(int length, string path)
    {
        if (length != KeyLength)
        {
            throw new ArgumentException($"a key for {path} must be {KeyLength} bytes, got {length}");
        }
    }

    private static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
