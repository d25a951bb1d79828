namespace Mixnode.Client;

/// <summary>A client switched to a newer network document (a new epoch began).</summary>
public sealed class NetworkChangedEventArgs : EventArgs
{
    internal NetworkChangedEventArgs(NetworkView network, long previousEpoch)
    {
        Network = network;
        PreviousEpoch = previousEpoch;
    }

    /// <summary>The document now in use.</summary>
    public NetworkView Network { get; }

    /// <summary>The epoch of the document used before.</summary>
    public long PreviousEpoch { get; }
}
