namespace Mixnode.Node.Hosting;

/// <summary>
/// What the node's readiness is made of, at one moment. Counts and flags only: nothing here names a peer.
/// </summary>
/// <param name="KeysLoaded">The link key is loaded and a mix key for the current epoch exists.</param>
/// <param name="NetworkCurrent">The network document lists this node and covers the current epoch.</param>
/// <param name="Listening">The link listener (and a provider's client listener) accept connections.</param>
/// <param name="NextHops">Nodes of the next layer this node forwards to.</param>
/// <param name="NextHopsUp">Of those, how many have an established link.</param>
/// <param name="Warm">The start-up self-test through the unwrap path passed.</param>
public readonly record struct NodeStatus(bool KeysLoaded, bool NetworkCurrent, bool Listening, int NextHops, int NextHopsUp, bool Warm);
