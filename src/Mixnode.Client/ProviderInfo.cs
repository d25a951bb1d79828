namespace Mixnode.Client;

/// <summary>A provider of the network as the current document lists it.</summary>
public sealed class ProviderInfo
{
    internal ProviderInfo(string name, string id, string? clientAddress)
    {
        Name = name;
        Id = id;
        ClientAddress = clientAddress;
    }

    /// <summary>Its name, as used in a <see cref="MixnetAddress"/>.</summary>
    public string Name { get; }

    /// <summary>Its descriptor id, BLAKE2b-256 of its identity key, in base64.</summary>
    public string Id { get; }

    /// <summary>Where clients connect to it (<c>host:port</c>, its second address), or null when it takes no clients.</summary>
    public string? ClientAddress { get; }
}
