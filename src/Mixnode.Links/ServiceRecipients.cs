using System.Text;
using Mixnode.Sphinx;

namespace Mixnode.Links;

/// <summary>
/// Recipient ids that a provider answers itself instead of holding mail for: each is an ASCII word followed by
/// zeros, so it can never be an X25519 public key a client would own by accident.
/// </summary>
internal static class ServiceRecipients
{
    /// <summary>"echo": the provider sends the payload back through the SURB it carries (loops, round trips).</summary>
    public static readonly Bytes32 Echo = Word("echo");

    /// <summary>"drop": Loopix drop cover; the provider unwraps the packet like any other and discards it.</summary>
    public static readonly Bytes32 Drop = Word("drop");

    private static Bytes32 Word(string word)
    {
        Span<byte> id = stackalloc byte[Bytes32.Size];
        id.Clear();
        Encoding.ASCII.GetBytes(word, id);
        return Bytes32.From(id);
    }
}
