using System.Text;

namespace Mixnode.Pki;

/// <summary>
/// Domain separation for every Ed25519 signature of the network: the signed bytes are
/// <c>context ‖ 0x00 ‖ payload</c>, so a signature made for one kind of object (a descriptor, a vote, a document)
/// can never be replayed as another kind, even when the payload bytes happen to parse as both.
/// </summary>
internal static class SignatureContext
{
    /// <summary>A node's descriptor upload to an authority.</summary>
    public static readonly byte[] Descriptor = Encoding.ASCII.GetBytes("mixnode-descriptor-v1");

    /// <summary>A network document (consensus or offline-signed).</summary>
    public static readonly byte[] NetworkDocument = Encoding.ASCII.GetBytes("mixnode-network-document-v1");

    /// <summary>An authority's vote for an epoch.</summary>
    public static readonly byte[] Vote = Encoding.ASCII.GetBytes("mixnode-vote-v1");

    /// <summary>An authority's reveal of its shared-random commitment.</summary>
    public static readonly byte[] Reveal = Encoding.ASCII.GetBytes("mixnode-reveal-v1");

    /// <summary>An authority's signature of the document it computed, sent to the other authorities.</summary>
    public static readonly byte[] Certificate = Encoding.ASCII.GetBytes("mixnode-certificate-v1");

    /// <summary><c>context ‖ 0x00 ‖ payload</c>: the bytes an Ed25519 signature actually covers.</summary>
    public static byte[] Bind(ReadOnlySpan<byte> context, ReadOnlySpan<byte> payload)
    {
        byte[] bound = new byte[context.Length + 1 + payload.Length];
        context.CopyTo(bound);
        payload.CopyTo(bound.AsSpan(context.Length + 1));
        return bound;
    }
}
