using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Mixnode.Noise;

/// <summary>
/// A handshake pattern as data: the pre-messages (keys each side knows beforehand) and the message patterns, in the
/// spec's own notation. The 15 fundamental patterns of revision 34 (§7.4 one-way, §7.5 interactive) and its 23
/// deferred patterns (§7.6: a "1" defers that side's authentication DH to a later message) are here; the psk
/// modifiers (§9) are applied with <see cref="WithPsks"/>. Messages alternate initiator (even index) and responder
/// (odd index).
/// </summary>
public sealed class HandshakePattern
{
    private static readonly FrozenDictionary<string, HandshakePattern> s_patterns = new[]
    {
        // One-way (§7.4): the responder only receives.
        Define("N", "", "<- s", "-> e, es"),
        Define("K", "-> s", "<- s", "-> e, es, ss"),
        Define("X", "", "<- s", "-> e, es, s, ss"),

        // Interactive (§7.5).
        Define("NN", "", "", "-> e", "<- e, ee"),
        Define("NK", "", "<- s", "-> e, es", "<- e, ee"),
        Define("NX", "", "", "-> e", "<- e, ee, s, es"),
        Define("KN", "-> s", "", "-> e", "<- e, ee, se"),
        Define("KK", "-> s", "<- s", "-> e, es, ss", "<- e, ee, se"),
        Define("KX", "-> s", "", "-> e", "<- e, ee, se, s, es"),
        Define("XN", "", "", "-> e", "<- e, ee", "-> s, se"),
        Define("XK", "", "<- s", "-> e, es", "<- e, ee", "-> s, se"),
        Define("XX", "", "", "-> e", "<- e, ee, s, es", "-> s, se"),
        Define("IN", "", "", "-> e, s", "<- e, ee, se"),
        Define("IK", "", "<- s", "-> e, es, s, ss", "<- e, ee, se"),
        Define("IX", "", "", "-> e, s", "<- e, ee, se, s, es"),

        // Deferred (§7.6).
        Define("NK1", "", "<- s", "-> e", "<- e, ee, es"),
        Define("NX1", "", "", "-> e", "<- e, ee, s", "-> es"),
        Define("X1N", "", "", "-> e", "<- e, ee", "-> s", "<- se"),
        Define("X1K", "", "<- s", "-> e, es", "<- e, ee", "-> s", "<- se"),
        Define("XK1", "", "<- s", "-> e", "<- e, ee, es", "-> s, se"),
        Define("X1K1", "", "<- s", "-> e", "<- e, ee, es", "-> s", "<- se"),
        Define("X1X", "", "", "-> e", "<- e, ee, s, es", "-> s", "<- se"),
        Define("XX1", "", "", "-> e", "<- e, ee, s", "-> es, s, se"),
        Define("X1X1", "", "", "-> e", "<- e, ee, s", "-> es, s", "<- se"),
        Define("K1N", "-> s", "", "-> e", "<- e, ee", "-> se"),
        Define("K1K", "-> s", "<- s", "-> e, es", "<- e, ee", "-> se"),
        Define("KK1", "-> s", "<- s", "-> e", "<- e, ee, se, es"),
        Define("K1K1", "-> s", "<- s", "-> e", "<- e, ee, es", "-> se"),
        Define("K1X", "-> s", "", "-> e", "<- e, ee, s, es", "-> se"),
        Define("KX1", "-> s", "", "-> e", "<- e, ee, se, s", "-> es"),
        Define("K1X1", "-> s", "", "-> e", "<- e, ee, s", "-> se, es"),
        Define("I1N", "", "", "-> e, s", "<- e, ee", "-> se"),
        Define("I1K", "", "<- s", "-> e, es, s", "<- e, ee", "-> se"),
        Define("IK1", "", "<- s", "-> e, s", "<- e, ee, se, es"),
        Define("I1K1", "", "<- s", "-> e, s", "<- e, ee, es", "-> se"),
        Define("I1X", "", "", "-> e, s", "<- e, ee, s, es", "-> se"),
        Define("IX1", "", "", "-> e, s", "<- e, ee, se, s", "-> es"),
        Define("I1X1", "", "", "-> e, s", "<- e, ee, s", "-> se, es"),
    }.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    private readonly NoiseToken[][] _messages;

    private HandshakePattern(string name, bool oneWay, bool initiatorPreMessageS, bool responderPreMessageS, NoiseToken[][] messages)
    {
        Name = name;
        IsOneWay = oneWay;
        InitiatorStaticIsPreMessage = initiatorPreMessageS;
        ResponderStaticIsPreMessage = responderPreMessageS;
        _messages = messages;
        PskCount = messages.Sum(m => m.Count(t => t == NoiseToken.Psk));
    }

    /// <summary>Every pattern this library knows, by name.</summary>
    public static IReadOnlyCollection<HandshakePattern> All => s_patterns.Values;

    public static HandshakePattern XX => s_patterns["XX"];

    public string Name { get; }

    /// <summary>True for N, K and X (with or without psk): a single message from the initiator; transport then flows that way only.</summary>
    public bool IsOneWay { get; }

    /// <summary>How many pre-shared keys the handshake mixes in (one per psk modifier), 32 bytes each, in order of use.</summary>
    public int PskCount { get; }

    public int MessageCount => _messages.Length;

    /// <summary>"-> s" before the handshake: the responder must be given the initiator's static key.</summary>
    public bool InitiatorStaticIsPreMessage { get; }

    /// <summary>"&lt;- s" before the handshake: the initiator must be given the responder's static key.</summary>
    public bool ResponderStaticIsPreMessage { get; }

    public static bool TryGet(string name, [NotNullWhen(true)] out HandshakePattern? pattern) =>
        s_patterns.TryGetValue(name, out pattern);

    /// <summary>
    /// This pattern with psk tokens placed (§9.2): psk0 at the start of the first message, pskN at the end of message
    /// N. <paramref name="positions"/> in the order of the modifier list (psk0+psk2); false if one is out of range or
    /// repeated.
    /// </summary>
    public bool WithPsks(IReadOnlyList<int> positions, [NotNullWhen(true)] out HandshakePattern? pattern)
    {
        ArgumentNullException.ThrowIfNull(positions);
        pattern = null;
        if (positions.Count == 0 || positions.Distinct().Count() != positions.Count || positions.Any(p => p < 0 || p > _messages.Length))
        {
            return false;
        }

        var messages = _messages.Select(m => new List<NoiseToken>(m)).ToArray();
        foreach (int position in positions)
        {
            if (position == 0)
            {
                messages[0].Insert(0, NoiseToken.Psk);
            }
            else
            {
                messages[position - 1].Add(NoiseToken.Psk);
            }
        }

        string name = Name + string.Join('+', positions.Select(p => "psk" + p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        pattern = new HandshakePattern(name, IsOneWay, InitiatorStaticIsPreMessage, ResponderStaticIsPreMessage,
            messages.Select(m => m.ToArray()).ToArray());
        return true;
    }

    /// <summary>The tokens of message <paramref name="index"/> (0-based; even = initiator's).</summary>
    public ReadOnlySpan<NoiseToken> Message(int index) => _messages[index];

    /// <summary>Whether the initiator (or responder) uses its own static key anywhere in the pattern.</summary>
    public bool UsesLocalStatic(bool initiator)
    {
        if (initiator ? InitiatorStaticIsPreMessage : ResponderStaticIsPreMessage)
        {
            return true;
        }

        for (int i = 0; i < _messages.Length; i++)
        {
            bool mine = (i % 2 == 0) == initiator;
            foreach (NoiseToken token in _messages[i])
            {
                // es: the initiator's e with the responder's s; se: the initiator's s with the responder's e.
                bool usesStatic = token switch
                {
                    NoiseToken.S => mine,
                    NoiseToken.SS => true,
                    NoiseToken.ES => !initiator,
                    NoiseToken.SE => initiator,
                    _ => false,
                };
                if (usesStatic)
                {
                    return true;
                }
            }
        }

        return false;
    }

    public override string ToString() => Name;

    private static HandshakePattern Define(string name, string initiatorPre, string responderPre, params string[] messages)
    {
        var parsed = new NoiseToken[messages.Length][];
        for (int i = 0; i < messages.Length; i++)
        {
            string expectedArrow = i % 2 == 0 ? "->" : "<-";
            string text = messages[i];
            if (!text.StartsWith(expectedArrow, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Pattern {name}: message {i} must start with {expectedArrow}.");
            }

            parsed[i] = text[2..].Split(',', StringSplitOptions.TrimEntries).Select(ParseToken).ToArray();
        }

        return new HandshakePattern(name, name.Length == 1, initiatorPre == "-> s", responderPre == "<- s", parsed);
    }

    private static NoiseToken ParseToken(string token) => token switch
    {
        "e" => NoiseToken.E,
        "s" => NoiseToken.S,
        "ee" => NoiseToken.EE,
        "es" => NoiseToken.ES,
        "se" => NoiseToken.SE,
        "ss" => NoiseToken.SS,
        _ => throw new InvalidOperationException($"Unknown token '{token}'."),
    };
}
