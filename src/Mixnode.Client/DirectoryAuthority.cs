namespace Mixnode.Client;

/// <summary>One directory authority as listed in <c>authorities.json</c>: where it serves its HTTP API and the key it signs with.</summary>
public sealed class DirectoryAuthority
{
    /// <summary>Describes one authority.</summary>
    /// <param name="name">Its name (for messages only).</param>
    /// <param name="address">Where it serves its HTTP API, <c>host:port</c>.</param>
    /// <param name="publicKey">Its Ed25519 public key, base64 (32 bytes).</param>
    public DirectoryAuthority(string name, string address, string publicKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentException.ThrowIfNullOrEmpty(publicKey);
        Name = name;
        Address = address;
        PublicKey = publicKey;
    }

    /// <summary>Its name (for messages only).</summary>
    public string Name { get; }

    /// <summary>Where it serves its HTTP API, <c>host:port</c>.</summary>
    public string Address { get; }

    /// <summary>Its Ed25519 public key, base64.</summary>
    public string PublicKey { get; }
}
