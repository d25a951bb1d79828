namespace Mixnode.Node.Clients;

/// <summary>Per client link: its rate limiter and since when it has been held back.</summary>
internal sealed class ClientSessionState
{
    public ClientSessionState(TokenBucket bucket) => Bucket = bucket;

    public TokenBucket Bucket { get; }

    /// <summary>Timestamp of the first packet refused for lack of tokens in the current run of refusals; 0 when not throttled.</summary>
    public long ThrottledSince { get; set; }
}
