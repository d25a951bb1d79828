using System.Diagnostics.CodeAnalysis;

namespace Mixnode.Noise;

/// <summary>
/// A concrete Noise protocol: <c>Noise_PATTERN_DH_CIPHER_HASH</c> (spec §8). The name is hashed into the handshake,
/// so it is kept exactly as parsed.
/// </summary>
public sealed class NoiseProtocol
{
    private NoiseProtocol(string name, HandshakePattern pattern, NoiseDhFunction dh, NoiseCipherFunction cipher, NoiseHashFunction hash)
    {
        Name = name;
        Pattern = pattern;
        Dh = dh;
        Cipher = cipher;
        Hash = hash;
    }

    /// <summary>The protocol of links between mix nodes.</summary>
    public static NoiseProtocol XX25519ChaChaPolyBlake2b { get; } = Parse("Noise_XX_25519_ChaChaPoly_BLAKE2b");

    public string Name { get; }

    public HandshakePattern Pattern { get; }

    public NoiseDhFunction Dh { get; }

    public NoiseCipherFunction Cipher { get; }

    public NoiseHashFunction Hash { get; }

    public static NoiseProtocol Parse(string name) =>
        TryParse(name, out NoiseProtocol? protocol, out _, out string? reason)
            ? protocol
            : throw new ArgumentException(reason, nameof(name));

    public static bool TryParse(string name, [NotNullWhen(true)] out NoiseProtocol? protocol) =>
        TryParse(name, out protocol, out _, out _);

    /// <summary>
    /// Parses a protocol name. On failure <paramref name="error"/> tells a name that is not Noise at all
    /// (<see cref="NoiseProtocolError.Malformed"/>) from a valid one this library does not implement
    /// (<see cref="NoiseProtocolError.Unsupported"/>: 448, BLAKE2s, the fallback and hfs modifiers),
    /// and <paramref name="reason"/> says which part.
    /// </summary>
    public static bool TryParse(string name, [NotNullWhen(true)] out NoiseProtocol? protocol, out NoiseProtocolError error,
        [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(name);
        protocol = null;
        string[] parts = name.Split('_');
        if (parts.Length == 5 && parts[0] == "NoisePSK")
        {
            // The pre-shared-key protocols of Noise revisions before 31 (NoisePSK_XX_…), since replaced by the psk
            // modifiers: a known protocol this library does not implement, not a malformed name.
            return Fail(NoiseProtocolError.Unsupported, $"'{name}' is a legacy NoisePSK_ protocol (pre-shared keys before revision 31), which is not implemented", out error, out reason);
        }

        if (parts.Length != 5 || parts[0] != "Noise" || parts.Skip(1).Any(string.IsNullOrEmpty))
        {
            return Fail(NoiseProtocolError.Malformed, $"'{name}' is not of the form Noise_PATTERN_DH_CIPHER_HASH", out error, out reason);
        }

        // The pattern's name is capitals and the deferral digit 1 (XK, X1K1); modifiers follow in lower case.
        string patternText = parts[1];
        int baseLength = 0;
        while (baseLength < patternText.Length && patternText[baseLength] is 'N' or 'K' or 'X' or 'I' or '1')
        {
            baseLength++;
        }

        if (baseLength == 0 || !HandshakePattern.TryGet(patternText[..baseLength], out HandshakePattern? pattern))
        {
            return Fail(NoiseProtocolError.Malformed, $"unknown handshake pattern '{patternText}'", out error, out reason);
        }

        if (baseLength < patternText.Length)
        {
            string modifiers = patternText[baseLength..];
            if (!IsKnownModifierList(modifiers))
            {
                return Fail(NoiseProtocolError.Malformed, $"unknown pattern modifier '{modifiers}'", out error, out reason);
            }

            string[] list = modifiers.Split('+');
            if (!list.All(m => m.StartsWith("psk", StringComparison.Ordinal)))
            {
                return Fail(NoiseProtocolError.Unsupported, $"pattern modifier '{modifiers}' is not supported (fallback and hfs are not implemented)", out error, out reason);
            }

            var positions = new List<int>();
            foreach (string modifier in list)
            {
                if (!int.TryParse(modifier.AsSpan(3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int position))
                {
                    return Fail(NoiseProtocolError.Malformed, $"pattern modifier '{modifier}' is not a psk position", out error, out reason);
                }

                positions.Add(position);
            }

            if (!pattern.WithPsks(positions, out HandshakePattern? withPsks))
            {
                return Fail(NoiseProtocolError.Malformed,
                    $"'{modifiers}' does not fit {pattern.Name}: psk positions run from 0 to its {pattern.MessageCount} messages, each once",
                    out error, out reason);
            }

            pattern = withPsks;
        }

        NoiseDhFunction dh;
        switch (parts[2])
        {
            case "25519":
                dh = NoiseDhFunction.Curve25519;
                break;
            case "448":
                return Fail(NoiseProtocolError.Unsupported, "DH function 448 is not supported", out error, out reason);
            default:
                // Hybrid forward secrecy names a second DH/KEM after '+', e.g. 25519+Kyber1024.
                return Fail(parts[2].Contains('+', StringComparison.Ordinal) ? NoiseProtocolError.Unsupported : NoiseProtocolError.Malformed,
                    $"DH function '{parts[2]}' is not supported", out error, out reason);
        }

        NoiseCipherFunction cipher;
        switch (parts[3])
        {
            case "ChaChaPoly":
                cipher = NoiseCipherFunction.ChaChaPoly;
                break;
            case "AESGCM":
                cipher = NoiseCipherFunction.AesGcm;
                break;
            default:
                return Fail(NoiseProtocolError.Malformed, $"unknown cipher function '{parts[3]}'", out error, out reason);
        }

        NoiseHashFunction hash;
        switch (parts[4])
        {
            case "SHA256":
                hash = NoiseHashFunction.Sha256;
                break;
            case "SHA512":
                hash = NoiseHashFunction.Sha512;
                break;
            case "BLAKE2b":
                hash = NoiseHashFunction.Blake2b;
                break;
            case "BLAKE2s":
                return Fail(NoiseProtocolError.Unsupported, "hash function BLAKE2s is not supported", out error, out reason);
            default:
                return Fail(NoiseProtocolError.Malformed, $"unknown hash function '{parts[4]}'", out error, out reason);
        }

        protocol = new NoiseProtocol(name, pattern, dh, cipher, hash);
        error = NoiseProtocolError.None;
        reason = null;
        return true;
    }

    public override string ToString() => Name;

    /// <summary>psk0..pskN, fallback and hfs joined by '+' (spec §9, §10 and the hfs extension).</summary>
    private static bool IsKnownModifierList(string modifiers) =>
        modifiers.Split('+').All(m => m is "fallback" or "hfs"
            || (m.Length > 3 && m.StartsWith("psk", StringComparison.Ordinal) && m[3..].All(char.IsAsciiDigit)));

    private static bool Fail(NoiseProtocolError kind, string message, out NoiseProtocolError error, out string reason)
    {
        error = kind;
        reason = message;
        return false;
    }
}
