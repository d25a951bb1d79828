using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Protocol;

/// <summary>
/// The document for an epoch as a pure function of the usable votes (the same votes give the same bytes at every
/// authority, whatever order they arrived in):
/// <list type="number">
/// <item>at least <c>threshold</c> usable votes, and a threshold of them with byte-identical parameters;</item>
/// <item>a node is in when one exact signed upload of it is in at least <c>threshold</c> votes (a vote holds one
/// upload per node and the threshold is a majority, so at most one version can qualify);</item>
/// <item>it must have mix keys for both covered epochs E and E + 1; nodes sharing a name or link key are all left out;</item>
/// <item>SRV = SHA-256("mixnode-srv-v1" ‖ E (8 bytes, big-endian) ‖ reveals in the order of their authorities' keys);</item>
/// <item>mixes sorted by SHA-256(SRV ‖ identity key) and dealt round-robin into the layers; providers by identity key.</item>
/// </list>
/// Layers are re-dealt every epoch from the SRV instead of keeping each mix where the previous consensus had it
/// (Katzenpost's choice): the result then depends on the votes alone, so an authority that missed the previous
/// consensus still computes the same bytes; a mix moving layer costs nothing since links follow each document.
/// </summary>
internal static class ConsensusComputation
{
    private static readonly byte[] s_srvLabel = Encoding.ASCII.GetBytes("mixnode-srv-v1");

    public static ConsensusOutcome Compute(long epoch, IReadOnlyCollection<RevealedVote> votes, int threshold)
    {
        ArgumentNullException.ThrowIfNull(votes);
        if (votes.Count < threshold)
        {
            return ConsensusOutcome.Failed(ConsensusFailure.TooFewVotes, $"{votes.Count} usable votes, {threshold} needed");
        }

        // Parameters: the group of identical ones with a threshold (a majority, so at most one group qualifies).
        IGrouping<string, RevealedVote>? agreed = votes
            .GroupBy(v => Convert.ToBase64String(v.Vote.Parameters.Canonical.Span), StringComparer.Ordinal)
            .FirstOrDefault(g => g.Count() >= threshold);
        if (agreed is null)
        {
            return ConsensusOutcome.Failed(ConsensusFailure.ParametersDisagree, $"no {threshold} votes propose the same network parameters");
        }

        NetworkParameters parameters = agreed.First().Vote.Parameters;
        Bytes32 srv = SharedRandom(epoch, votes);

        // Count each exact signed upload over the votes.
        var counts = new Dictionary<string, (SignedDescriptor Upload, int Count)>(StringComparer.Ordinal);
        foreach (RevealedVote vote in votes)
        {
            foreach (SignedDescriptor upload in vote.Vote.Descriptors)
            {
                string key = Convert.ToBase64String(SHA256.HashData(upload.Envelope.Payload.Span));
                counts[key] = counts.TryGetValue(key, out var entry) ? (entry.Upload, entry.Count + 1) : (upload, 1);
            }
        }

        var range = new EpochRange(epoch, epoch + 1);
        var included = counts.Values
            .Where(c => c.Count >= threshold && c.Upload.Epoch == epoch)
            .Select(c => c.Upload.Descriptor)
            .Where(d => d.MixKeys.ContainsKey(epoch) && d.MixKeys.ContainsKey(epoch + 1))
            .ToList();
        included = DropClashes(included);

        var providers = included
            .Where(d => d.Role == NodeRole.Provider)
            .OrderBy(d => d.IdentityKey, IdentityKeyComparer.Instance)
            .Select(d => d.WithMixKeys(range))
            .ToList();
        var mixes = included
            .Where(d => d.Role == NodeRole.Mix)
            .Select(d => (Descriptor: d, Rank: Rank(srv, d.IdentityKey)))
            .OrderBy(m => m.Rank, IdentityKeyComparer.Instance)
            .ThenBy(m => m.Descriptor.IdentityKey, IdentityKeyComparer.Instance)
            .ToList();
        var layers = new List<List<NodeDescriptor>>();
        for (int layer = 0; layer < parameters.Layers; layer++)
        {
            layers.Add([]);
        }

        for (int i = 0; i < mixes.Count; i++)
        {
            int layer = i % parameters.Layers;
            layers[layer].Add(mixes[i].Descriptor.WithLayer(layer).WithMixKeys(range));
        }

        try
        {
            var document = new NetworkDocument(parameters.EpochPeriod, parameters.Geometry, parameters.Mixing, range, providers, layers, epoch, srv);
            return new ConsensusOutcome(document, SignedNetworkDocument.Payload(document), null, document.ToString());
        }
        catch (TopologyException e)
        {
            return ConsensusOutcome.Failed(ConsensusFailure.DocumentRefused, e.Message);
        }
    }

    public static Bytes32 SharedRandom(long epoch, IEnumerable<RevealedVote> votes)
    {
        ArgumentNullException.ThrowIfNull(votes);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(s_srvLabel);
        Span<byte> epochBytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(epochBytes, epoch);
        hash.AppendData(epochBytes);
        foreach (RevealedVote vote in votes.OrderBy(v => v.Vote.Authority, IdentityKeyComparer.Instance))
        {
            hash.AppendData(vote.Reveal.AsReadOnlySpan());
        }

        return Bytes32.From(hash.GetHashAndReset());
    }

    private static Bytes32 Rank(Bytes32 srv, Bytes32 identityKey)
    {
        Span<byte> input = stackalloc byte[2 * Bytes32.Size];
        srv.AsReadOnlySpan().CopyTo(input);
        identityKey.AsReadOnlySpan().CopyTo(input[Bytes32.Size..]);
        return Bytes32.From(SHA256.HashData(input));
    }

    /// <summary>Nodes that share a name or a link key with another are all dropped: no order-dependent winner.</summary>
    private static List<NodeDescriptor> DropClashes(List<NodeDescriptor> nodes)
    {
        var names = nodes.GroupBy(n => n.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var links = nodes.GroupBy(n => n.LinkKey).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return names.Count == 0 && links.Count == 0 ? nodes : [.. nodes.Where(n => !names.Contains(n.Name) && !links.Contains(n.LinkKey))];
    }
}
