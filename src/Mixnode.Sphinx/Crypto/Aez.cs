using System.Diagnostics.CodeAnalysis;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// AEZ v5 (Hoang, Krovetz, Rogaway), the wide-block cipher Katzenpost's Sphinx uses for payloads.
/// The hot path is the Katzenpost profile (<see cref="Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>):
/// no allocations, key schedule on the stack and wiped after use, AES-NI when the CPU has it.
/// </summary>
public static class Aez
{
    /// <summary>Katzenpost profile key length (used as I ‖ J ‖ L directly, no hashing).</summary>
    public const int KeySize = 48;

    /// <summary>Katzenpost profile nonce length.</summary>
    public const int NonceSize = 16;

    // Chosen once (AesBackend: AES-NI unless absent or MIXNODE_AES=software); the JIT folds this static readonly
    // into a constant so the unused backend is dropped from the call sites.
    private static readonly bool UseHardware = AesBackend.IsHardwareAccelerated;

    /// <summary>True when the AES-NI path is in use (see <see cref="AesBackend"/> for the rule on the other).</summary>
    public static bool IsHardwareAccelerated => UseHardware;

    /// <summary>
    /// Katzenpost profile: 48-byte key, 16-byte nonce, AD absent, tau = 0, so length-preserving.
    /// <paramref name="output"/> must be as long as <paramref name="input"/>; both may be the very same span (in place).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong key or nonce size, or a length mismatch.</exception>
    public static void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckProfileArguments(key, nonce, input, output);
        if (UseHardware)
        {
            AezEngine<AezHardwareRound>.Profile(key, nonce, input, output, decipher: false);
        }
        else
        {
            AezEngine<AezPortableRound>.Profile(key, nonce, input, output, decipher: false);
        }
    }

    /// <summary>Inverse of the profile <see cref="Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>; never fails.</summary>
    /// <exception cref="ArgumentException">Wrong key or nonce size, or a length mismatch.</exception>
    public static void Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckProfileArguments(key, nonce, input, output);
        if (UseHardware)
        {
            AezEngine<AezHardwareRound>.Profile(key, nonce, input, output, decipher: true);
        }
        else
        {
            AezEngine<AezPortableRound>.Profile(key, nonce, input, output, decipher: true);
        }
    }

    /// <summary>
    /// General AEZ v5 encryption: any key and nonce length, a list of AD strings (null or empty = absent, which differs
    /// from one empty string), <paramref name="tau"/> authenticator bytes. Returns |message| + tau bytes.
    /// </summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData, int tau, ReadOnlySpan<byte> message) =>
        UseHardware
            ? AezEngine<AezHardwareRound>.Encrypt(key, nonce, associatedData, tau, message)
            : AezEngine<AezPortableRound>.Encrypt(key, nonce, associatedData, tau, message);

    /// <summary>General AEZ v5 decryption; false when the ciphertext does not authenticate.</summary>
    public static bool TryDecrypt(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> nonce,
        IReadOnlyList<byte[]>? associatedData,
        int tau,
        ReadOnlySpan<byte> ciphertext,
        [NotNullWhen(true)] out byte[]? message) =>
        UseHardware
            ? AezEngine<AezHardwareRound>.TryDecrypt(key, nonce, associatedData, tau, ciphertext, out message)
            : AezEngine<AezPortableRound>.TryDecrypt(key, nonce, associatedData, tau, ciphertext, out message);

    private static void CheckProfileArguments(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"AEZ key must be {KeySize} bytes, got {key.Length}", nameof(key));
        }

        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException($"AEZ nonce must be {NonceSize} bytes, got {nonce.Length}", nameof(nonce));
        }

        if (output.Length != input.Length)
        {
            throw new ArgumentException($"output must be as long as input ({input.Length} bytes), got {output.Length}", nameof(output));
        }
    }
}
