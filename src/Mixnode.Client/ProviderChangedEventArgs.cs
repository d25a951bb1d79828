namespace Mixnode.Client;

/// <summary>
/// The client moved to another provider because the network document in force no longer lists its own. Its address
/// changed (provider and mailbox id): tell your correspondents <see cref="Address"/>. Mail that waited at the old
/// provider is lost.
/// </summary>
public sealed class ProviderChangedEventArgs : EventArgs
{
    internal ProviderChangedEventArgs(MixnetAddress address, MixnetAddress previousAddress, NetworkView network)
    {
        Address = address;
        PreviousAddress = previousAddress;
        Network = network;
    }

    /// <summary>The client's address now: the new provider and a fresh mailbox id.</summary>
    public MixnetAddress Address { get; }

    /// <summary>The address it had at the provider that left.</summary>
    public MixnetAddress PreviousAddress { get; }

    /// <summary>The document the new provider was chosen from.</summary>
    public NetworkView Network { get; }
}
