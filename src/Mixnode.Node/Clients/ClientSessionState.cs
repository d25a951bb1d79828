namespace Mixnode.Node.Clients;

/// <summary>Per client link: its rate limiters (its own and its source prefix's) and since when it has been held back.</summary>
internal sealed class ClientSessionState
{
    public ClientSessionState(TokenBucket bucket, PrefixLease? prefix = null)
    {
        Bucket = bucket;
        Prefix = prefix;
    }

    public TokenBucket Bucket { get; }

    /// <summary>
    /// The bucket every session from the same source prefix shares (null for a session the listener did not attach, as
    /// in unit tests). A client that reconnects with a fresh key gets a fresh <see cref="Bucket"/> but the same prefix bucket.
    /// </summary>
    public PrefixLease? Prefix { get; }

    /// <summary>Timestamp of the first packet refused for lack of tokens in the current run of refusals; 0 when not throttled.</summary>
    public long ThrottledSince { get; set; }
}
