using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>
/// The directory authorities a client trusts and how many of them must sign a network document (the threshold, at
/// least a majority): the contents of <c>authorities.json</c>,
/// <c>{"threshold": 2, "authorities": [{"name": …, "address": "host:port", "public_key": "base64"}, …]}</c>.
/// </summary>
public sealed class DirectoryAuthorities
{
    /// <summary>Lists the authorities; a <see cref="ClientException"/> for a bad key, a duplicate or a threshold below a majority.</summary>
    /// <param name="authorities">The authorities, each with its address and public key.</param>
    /// <param name="threshold">Signatures a document needs, at least ⌊N/2⌋ + 1.</param>
    public DirectoryAuthorities(IEnumerable<DirectoryAuthority> authorities, int threshold)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        DirectoryAuthority[] list = [.. authorities];
        try
        {
            Set = new AuthoritySet(list.Select(a => new AuthorityInfo(a.Name, a.Address, DecodeKey(a))), threshold);
        }
        catch (TopologyException e)
        {
            throw new ClientException($"invalid authority list: {e.Message}", e);
        }

        Authorities = list;
    }

    private DirectoryAuthorities(AuthoritySet set)
    {
        Set = set;
        Authorities = [.. set.Authorities.Select(a => new DirectoryAuthority(a.Name, a.Address, Convert.ToBase64String(a.PublicKey.AsReadOnlySpan())))];
    }

    /// <summary>The authorities, in the order listed.</summary>
    public IReadOnlyList<DirectoryAuthority> Authorities { get; }

    /// <summary>Distinct listed authorities whose signatures a document needs.</summary>
    public int Threshold => Set.Threshold;

    internal AuthoritySet Set { get; }

    /// <summary>Reads <c>authorities.json</c>; a <see cref="ClientException"/> naming what is wrong with it.</summary>
    /// <param name="path">The file.</param>
    public static DirectoryAuthorities Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new DirectoryAuthorities(AuthoritySet.Read(path));
        }
        catch (TopologyException e)
        {
            throw new ClientException($"invalid authority list {path}: {e.Message}", e);
        }
    }

    /// <summary>Parses the JSON of <c>authorities.json</c>; a <see cref="ClientException"/> naming what is wrong with it.</summary>
    /// <param name="utf8Json">The file's bytes.</param>
    public static DirectoryAuthorities Parse(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            return new DirectoryAuthorities(AuthoritySet.Parse(utf8Json));
        }
        catch (TopologyException e)
        {
            throw new ClientException($"invalid authority list: {e.Message}", e);
        }
    }

    private static Bytes32 DecodeKey(DirectoryAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        Span<byte> key = stackalloc byte[Bytes32.Size + 1];
        if (!Convert.TryFromBase64String(authority.PublicKey, key, out int written) || written != Bytes32.Size)
        {
            throw new ClientException($"authority '{authority.Name}': the public key must be 32 bytes in base64");
        }

        return Bytes32.From(key[..written]);
    }
}
