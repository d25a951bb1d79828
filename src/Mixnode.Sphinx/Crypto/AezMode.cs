using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Mixnode.Sphinx.Crypto;

/// <summary>Encipher/Decipher dispatch and the Encrypt/Decrypt modes (general AEZ v5 and the Katzenpost profile).</summary>
internal static partial class AezEngine<TRound>
{
    /// <summary>Length-preserving Encipher/Decipher(Δ, ·): empty → empty, &lt; 32 bytes → AEZ-tiny, else AEZ-core.</summary>
    internal static void Encipher(in AezKey key, Vector128<byte> delta, ReadOnlySpan<byte> input, Span<byte> output, bool decipher)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            // Partial overlap would let a write clobber input still to be read; same-start overlap (in place) is fine.
            input.CopyTo(output);
            input = output;
        }

        if (input.Length == 0)
        {
            return;
        }

        if (input.Length < 32)
        {
            Tiny(in key, delta, input, output, decipher);
        }
        else
        {
            Core(in key, delta, input, output, decipher);
        }
    }

    /// <summary>Katzenpost profile: 48-byte key used as is, 16-byte nonce, no AD, tau = 0.</summary>
    internal static void Profile(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output, bool decipher)
    {
        AezKey.FromRaw(key, out AezKey k);
        Vector128<byte> delta = HashProfile(in k, AezBlock.Load(nonce));
        Encipher(in k, delta, input, output, decipher);
        AezKey.Clear(ref k);
    }

    internal static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, IReadOnlyList<byte[]>? associatedData, int tau, ReadOnlySpan<byte> message)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tau);
        AezKey.Extract(key, out AezKey k);
        try
        {
            Vector128<byte> delta = Hash(in k, (ulong)tau * 8, nonce, associatedData);
            if (message.Length == 0)
            {
                var tag = new byte[tau];
                Prf(in k, delta, tag);
                return tag;
            }

            // M ‖ 0^tau, enciphered in place.
            var output = new byte[checked(message.Length + tau)];
            message.CopyTo(output);
            Encipher(in k, delta, output, output, decipher: false);
            return output;
        }
        finally
        {
            AezKey.Clear(ref k);
        }
    }

    internal static bool TryDecrypt(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> nonce,
        IReadOnlyList<byte[]>? associatedData,
        int tau,
        ReadOnlySpan<byte> ciphertext,
        [NotNullWhen(true)] out byte[]? message)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tau);
        message = null;
        if (ciphertext.Length < tau)
        {
            return false;
        }

        AezKey.Extract(key, out AezKey k);
        try
        {
            Vector128<byte> delta = Hash(in k, (ulong)tau * 8, nonce, associatedData);
            if (ciphertext.Length == tau)
            {
                Span<byte> expected = tau <= 256 ? stackalloc byte[tau] : new byte[tau];
                Prf(in k, delta, expected);
                if (!CryptographicOperations.FixedTimeEquals(expected, ciphertext))
                {
                    return false;
                }

                message = [];
                return true;
            }

            byte[] plaintext = new byte[ciphertext.Length];
            Encipher(in k, delta, ciphertext, plaintext, decipher: true);
            int length = ciphertext.Length - tau;

            // Constant-time check that the tau redundancy bytes are zero.
            int nonZero = 0;
            foreach (byte b in plaintext.AsSpan(length))
            {
                nonZero |= b;
            }

            if (nonZero != 0)
            {
                CryptographicOperations.ZeroMemory(plaintext); // never release unauthenticated plaintext
                return false;
            }

            if (tau == 0)
            {
                message = plaintext;
                return true;
            }

            message = plaintext.AsSpan(0, length).ToArray();
            CryptographicOperations.ZeroMemory(plaintext);
            return true;
        }
        finally
        {
            AezKey.Clear(ref k);
        }
    }
}
