namespace Mixnode.Client;

/// <summary>
/// How a <see cref="MixnetClient"/> finds the network and behaves on it. Give either <see cref="Authorities"/> (the
/// normal case: the client fetches each epoch's consensus from them) or <see cref="TopologyPath"/> with
/// <see cref="TopologyAuthorityKey"/> (an offline-signed document; no epoch following).
/// </summary>
public sealed class MixnetClientOptions
{
    /// <summary>The directory authorities to fetch the network document from (see <see cref="DirectoryAuthorities.Load"/>).</summary>
    public DirectoryAuthorities? Authorities { get; init; }

    /// <summary>A signed network document on disk, instead of <see cref="Authorities"/>.</summary>
    public string? TopologyPath { get; init; }

    /// <summary>With <see cref="TopologyPath"/>: the Ed25519 public key (base64) that must have signed it.</summary>
    public string? TopologyAuthorityKey { get; init; }

    /// <summary>The provider to connect to, by name; null: one drawn at random from the document.</summary>
    public string? ProviderName { get; init; }

    /// <summary>
    /// Send as a Loopix client: messages wait for payload slots at λP, drops fill the empty ones, loops at λL come
    /// back to the client's own mailbox, so an observer of the link sees the same traffic whether it sends or not.
    /// </summary>
    public bool CoverTraffic { get; init; }

    /// <summary>With <see cref="CoverTraffic"/>: λP, payload slots per second; null: the network document's (use it: clients with their own rates stand out).</summary>
    public double? PayloadRatePerSecond { get; init; }

    /// <summary>With <see cref="CoverTraffic"/>: λL, loops per second; null: the network document's.</summary>
    public double? LoopRatePerSecond { get; init; }

    /// <summary>Switch to each new epoch's consensus as it is published (with <see cref="Authorities"/> only).</summary>
    public bool FollowEpochs { get; init; } = true;

    /// <summary>
    /// When a new consensus no longer lists the client's provider, connect to another one (drawn uniformly with the
    /// CSPRNG from the providers that take clients) with a fresh key and raise <see cref="MixnetClient.ProviderChanged"/>
    /// (with <see cref="FollowEpochs"/> only). Mail held at the old provider is lost. False: stay on the old provider
    /// until the link ends.
    /// </summary>
    public bool MoveWhenProviderLeaves { get; init; } = true;

    /// <summary>How long to keep asking the authorities for a first usable document before giving up.</summary>
    public TimeSpan DocumentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one request to an authority may take.</summary>
    public TimeSpan AuthorityRequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the TCP connect to the provider may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait before asking the provider again after it said the mailbox is empty.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The clock (epochs, polling, cover traffic); the system's unless a test fixes it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>For tests: the HTTP handler the authorities are reached through.</summary>
    internal HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>What is wrong with the options, or null.</summary>
    internal string? Validate()
    {
        if ((Authorities is null) == (TopologyPath is null))
        {
            return "give either Authorities or TopologyPath";
        }

        if (TopologyPath is not null && string.IsNullOrEmpty(TopologyAuthorityKey))
        {
            return "TopologyPath needs TopologyAuthorityKey, the key that must have signed the document";
        }

        if (!CoverTraffic && (PayloadRatePerSecond is not null || LoopRatePerSecond is not null))
        {
            return "PayloadRatePerSecond and LoopRatePerSecond need CoverTraffic";
        }

        foreach (TimeSpan t in (ReadOnlySpan<TimeSpan>)[DocumentTimeout, AuthorityRequestTimeout, ConnectTimeout, PollInterval])
        {
            if (t <= TimeSpan.Zero)
            {
                return "timeouts and the poll interval must be positive";
            }
        }

        return null;
    }
}
