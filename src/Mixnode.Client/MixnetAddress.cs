using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Mixnode.Client;

/// <summary>
/// Where a message goes: a mailbox, named by a 32-byte recipient id, at a provider, named as in the network document.
/// A client's own address is its provider and its static X25519 public key. Written <c>base64url(id)@provider</c>.
/// </summary>
public readonly struct MixnetAddress : IEquatable<MixnetAddress>
{
    /// <summary>Bytes of a recipient id.</summary>
    public const int RecipientIdLength = 32;

    private readonly byte[]? _recipientId;

    /// <summary>An address; the id is copied.</summary>
    /// <param name="providerName">The provider's name in the network document.</param>
    /// <param name="recipientId">The mailbox: exactly <see cref="RecipientIdLength"/> bytes.</param>
    public MixnetAddress(string providerName, ReadOnlySpan<byte> recipientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerName);
        if (recipientId.Length != RecipientIdLength)
        {
            throw new ArgumentException($"a recipient id is {RecipientIdLength} bytes, got {recipientId.Length}", nameof(recipientId));
        }

        ProviderName = providerName;
        _recipientId = recipientId.ToArray();
    }

    /// <summary>The provider that keeps the mailbox, by its name in the network document.</summary>
    public string ProviderName { get; }

    /// <summary>The mailbox's 32-byte id (empty for a default instance).</summary>
    public ReadOnlyMemory<byte> RecipientId => _recipientId;

    /// <summary>Equality of two addresses.</summary>
    /// <param name="left">One address.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(MixnetAddress left, MixnetAddress right) => left.Equals(right);

    /// <summary>Inequality of two addresses.</summary>
    /// <param name="left">One address.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(MixnetAddress left, MixnetAddress right) => !left.Equals(right);

    /// <summary>Reads <c>base64url(id)@provider</c>; a <see cref="FormatException"/> when it is not one.</summary>
    /// <param name="text">The written address.</param>
    public static MixnetAddress Parse(string text) =>
        TryParse(text, out MixnetAddress address) ? address : throw new FormatException("an address is base64url(32-byte id)@provider");

    /// <summary>Reads <c>base64url(id)@provider</c>.</summary>
    /// <param name="text">The written address.</param>
    /// <param name="address">The address, when the text is one.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out MixnetAddress address)
    {
        address = default;
        int at = text?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        if (text is null || at <= 0 || at == text.Length - 1)
        {
            return false;
        }

        try
        {
            byte[] id = System.Buffers.Text.Base64Url.DecodeFromChars(text.AsSpan(0, at));
            if (id.Length != RecipientIdLength)
            {
                return false;
            }

            address = new MixnetAddress(text[(at + 1)..], id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Same provider and same id (the id compared in constant time).</summary>
    /// <param name="other">The other address.</param>
    public bool Equals(MixnetAddress other) =>
        string.Equals(ProviderName, other.ProviderName, StringComparison.Ordinal)
        && RecipientId.Length == other.RecipientId.Length
        && CryptographicOperations.FixedTimeEquals(RecipientId.Span, other.RecipientId.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MixnetAddress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ProviderName, StringComparer.Ordinal);
        hash.AddBytes(RecipientId.Span);
        return hash.ToHashCode();
    }

    /// <summary><c>base64url(id)@provider</c>.</summary>
    public override string ToString() => $"{System.Buffers.Text.Base64Url.EncodeToString(RecipientId.Span)}@{ProviderName}";
}
