using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Client;

/// <summary>The network document a client uses, as public data: which epoch, which providers, how many mixes.</summary>
public sealed class NetworkView
{
    internal NetworkView(NetworkTopology topology)
    {
        NetworkDocument document = topology.Document;
        Epoch = document.Epoch;
        EpochPeriod = document.EpochPeriod;
        FirstEpoch = document.EpochsCovered.First;
        LastEpoch = document.EpochsCovered.Last;
        Providers = [.. document.Providers.Select(p => new ProviderInfo(
            p.Name,
            Convert.ToBase64String(p.Id.AsReadOnlySpan()),
            p.Addresses.Length > ClientLinkProtocol.ClientAddressIndex ? p.Addresses[ClientLinkProtocol.ClientAddressIndex] : null))];
        MixesPerLayer = [.. document.Layers.Select(l => l.Length)];
        MaxMessageLength = document.Geometry.ForwardPayloadLength;
    }

    /// <summary>The epoch the document is for.</summary>
    public long Epoch { get; }

    /// <summary>The length of an epoch.</summary>
    public TimeSpan EpochPeriod { get; }

    /// <summary>The first epoch the document may be used in (its validity window starts here).</summary>
    public long FirstEpoch { get; }

    /// <summary>The last epoch the document may be used in.</summary>
    public long LastEpoch { get; }

    /// <summary>The providers, in document order.</summary>
    public IReadOnlyList<ProviderInfo> Providers { get; }

    /// <summary>Mixes in each layer, first layer first; a route crosses one of each.</summary>
    public IReadOnlyList<int> MixesPerLayer { get; }

    /// <summary>Bytes a message can hold (the Sphinx forward payload).</summary>
    public int MaxMessageLength { get; }
}
