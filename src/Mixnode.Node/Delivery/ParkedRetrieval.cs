namespace Mixnode.Node.Delivery;

/// <summary>A retrieval waiting for mail: its session and how to answer it (false when it can no longer take a message).</summary>
internal sealed record ParkedRetrieval(RetrievalSession Owner, Func<bool> Answer);
