using System.Security.Cryptography;
using Mixnode.Noise.Internal;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Noise;

/// <summary>
/// One side of a Noise handshake (spec §5.3): call <see cref="WriteMessage"/> and <see cref="ReadMessage"/> in the
/// pattern's order until <see cref="IsHandshakeComplete"/>, then <see cref="Split"/> into a <see cref="NoiseTransport"/>.
/// Bad peer input is a <see cref="NoiseResult"/>, never an exception; after any failure that touched the state the
/// handshake reports <see cref="NoiseResult.HandshakeFailed"/> from then on. Not thread-safe. <see cref="Dispose"/>
/// zeroes every secret (chaining key, cipher key, ephemeral and copied static private keys).
/// </summary>
public sealed class HandshakeState : IDisposable
{
    /// <summary>The largest Noise message (spec §3).</summary>
    public const int MaxMessageSize = 65535;

    private const int KeySize = X25519.PointSize;

    private readonly NoiseProtocol _protocol;
    private readonly HandshakePattern _pattern;
    private readonly bool _initiator;
    private readonly SymmetricState _symmetric;

    // The local static key: either a borrowed X25519PrivateKey (not disposed here) or a pinned copy of the raw bytes.
    private readonly X25519PrivateKey? _localStaticKey;
    private readonly byte[]? _localStaticPrivate;
    private readonly byte[] _localStaticPublic = new byte[KeySize];
    private readonly bool _hasLocalStatic;

    private readonly byte[] _ephemeralPrivate = GC.AllocateArray<byte>(KeySize, pinned: true);
    private readonly byte[] _ephemeralPublic = new byte[KeySize];
    private readonly byte[]? _fixedEphemeral;
    private bool _hasEphemeral;

    // Pre-shared keys (psk modifiers), 32 bytes each in order of use; pinned, zeroed on dispose.
    private readonly byte[]? _psks;
    private int _pskIndex;

    private readonly byte[] _remoteStatic = new byte[KeySize];
    private bool _hasRemoteStatic;
    private readonly byte[] _remoteEphemeral = new byte[KeySize];
    private bool _hasRemoteEphemeral;

    private byte[]? _handshakeHash;
    private int _messageIndex;
    private bool _failed;
    private bool _split;
    private bool _disposed;

    /// <summary>
    /// A handshake with the local static private key as 32 raw bytes (copied into pinned memory), or empty for a
    /// pattern that needs none (NN, NK, NX, N, …). <paramref name="remoteStaticPublicKey"/> is the peer's static key
    /// when the pattern has it as a pre-message (N, K, X, NK, KK, XK, IK, and the responder of KN, KX …); empty otherwise.
    /// </summary>
    public HandshakeState(NoiseProtocol protocol, bool initiator, ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> localStaticPrivateKey,
        ReadOnlySpan<byte> remoteStaticPublicKey)
        : this(protocol, initiator, prologue, null, localStaticPrivateKey, remoteStaticPublicKey, default)
    {
    }

    /// <summary>
    /// A handshake of a psk pattern (<c>Noise_XXpsk3_…</c>, spec §9): as above, plus <paramref name="preSharedKeys"/>,
    /// the 32-byte pre-shared keys concatenated in the order the pattern uses them (one per psk modifier).
    /// </summary>
    public HandshakeState(NoiseProtocol protocol, bool initiator, ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> localStaticPrivateKey,
        ReadOnlySpan<byte> remoteStaticPublicKey, ReadOnlySpan<byte> preSharedKeys)
        : this(protocol, initiator, prologue, null, localStaticPrivateKey, remoteStaticPublicKey, default, preSharedKeys)
    {
    }

    /// <summary>
    /// A handshake with a long-lived local static key (the node's link key), which is borrowed: the caller keeps it
    /// alive for the handshake and disposes it.
    /// </summary>
    public HandshakeState(NoiseProtocol protocol, bool initiator, ReadOnlySpan<byte> prologue, X25519PrivateKey localStaticKey,
        ReadOnlySpan<byte> remoteStaticPublicKey)
        : this(protocol, initiator, prologue, localStaticKey ?? throw new ArgumentNullException(nameof(localStaticKey)), default, remoteStaticPublicKey, default)
    {
    }

    /// <summary>Everything, including a fixed ephemeral private key: for test vectors only (a fixed ephemeral breaks Noise's security).</summary>
    internal HandshakeState(NoiseProtocol protocol, bool initiator, ReadOnlySpan<byte> prologue, X25519PrivateKey? localStaticKey,
        ReadOnlySpan<byte> localStaticPrivateKey, ReadOnlySpan<byte> remoteStaticPublicKey, ReadOnlySpan<byte> fixedEphemeralPrivateKey,
        ReadOnlySpan<byte> preSharedKeys = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        _protocol = protocol;
        _pattern = protocol.Pattern;
        _initiator = initiator;

        if (localStaticKey is not null)
        {
            _localStaticKey = localStaticKey;
            localStaticKey.PublicKey.CopyTo(_localStaticPublic);
            _hasLocalStatic = true;
        }
        else if (!localStaticPrivateKey.IsEmpty)
        {
            CheckKey(localStaticPrivateKey, nameof(localStaticPrivateKey));
            _localStaticPrivate = GC.AllocateArray<byte>(KeySize, pinned: true);
            localStaticPrivateKey.CopyTo(_localStaticPrivate);
            X25519.ScalarMultBase(_localStaticPrivate, _localStaticPublic);
            _hasLocalStatic = true;
        }

        if (!fixedEphemeralPrivateKey.IsEmpty)
        {
            CheckKey(fixedEphemeralPrivateKey, nameof(fixedEphemeralPrivateKey));
            _fixedEphemeral = GC.AllocateArray<byte>(KeySize, pinned: true);
            fixedEphemeralPrivateKey.CopyTo(_fixedEphemeral);
        }

        if (preSharedKeys.Length != _pattern.PskCount * KeySize)
        {
            throw new ArgumentException(
                $"{protocol.Name} uses {_pattern.PskCount} pre-shared key(s) of {KeySize} bytes: pass {_pattern.PskCount * KeySize} bytes, not {preSharedKeys.Length}.",
                nameof(preSharedKeys));
        }

        if (!preSharedKeys.IsEmpty)
        {
            _psks = GC.AllocateArray<byte>(preSharedKeys.Length, pinned: true);
            preSharedKeys.CopyTo(_psks);
        }

        bool remotePre = initiator ? _pattern.ResponderStaticIsPreMessage : _pattern.InitiatorStaticIsPreMessage;
        if (_pattern.UsesLocalStatic(initiator) && !_hasLocalStatic)
        {
            throw new ArgumentException($"{protocol.Name} needs the {Role(initiator)}'s static private key.");
        }

        if (remotePre != !remoteStaticPublicKey.IsEmpty)
        {
            throw new ArgumentException(remotePre
                ? $"{protocol.Name} needs the {Role(!initiator)}'s static public key before the handshake."
                : $"{protocol.Name} sends the {Role(!initiator)}'s static key in the handshake; do not pass it beforehand (compare RemoteStaticPublicKey after).",
                nameof(remoteStaticPublicKey));
        }

        if (remotePre)
        {
            CheckKey(remoteStaticPublicKey, nameof(remoteStaticPublicKey));
            remoteStaticPublicKey.CopyTo(_remoteStatic);
            _hasRemoteStatic = true;
        }

        _symmetric = new SymmetricState(protocol);
        _symmetric.MixHash(prologue);

        // Pre-message keys are hashed in the order of the pattern: the initiator's first, then the responder's.
        if (_pattern.InitiatorStaticIsPreMessage)
        {
            _symmetric.MixHash(initiator ? _localStaticPublic : _remoteStatic);
        }

        if (_pattern.ResponderStaticIsPreMessage)
        {
            _symmetric.MixHash(initiator ? _remoteStatic : _localStaticPublic);
        }
    }

    public NoiseProtocol Protocol => _protocol;

    public bool IsInitiator => _initiator;

    public bool IsHandshakeComplete => _messageIndex == _pattern.MessageCount && !_failed;

    /// <summary>True when the next call should be <see cref="WriteMessage"/> (false: <see cref="ReadMessage"/>, or done).</summary>
    public bool IsMyTurn => !IsHandshakeComplete && (_messageIndex % 2 == 0) == _initiator;

    /// <summary>The peer's static public key once known (before the handshake for K/I-style pre-messages); empty otherwise.</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _hasRemoteStatic ? _remoteStatic : [];

    /// <summary>h at the end of the handshake (for channel binding); empty until <see cref="IsHandshakeComplete"/>.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _handshakeHash;

    /// <summary>
    /// Writes the next handshake message: its keys, then <paramref name="payload"/> (encrypted once a key exists).
    /// <paramref name="payload"/> must not overlap <paramref name="message"/>. On BufferTooSmall and MessageTooLong
    /// nothing changed.
    /// </summary>
    public NoiseResult WriteMessage(ReadOnlySpan<byte> payload, Span<byte> message, out int written)
    {
        written = 0;
        NoiseResult state = CheckTurn(writing: true);
        if (state != NoiseResult.Ok)
        {
            return state;
        }

        if (payload.Overlaps(message))
        {
            throw new ArgumentException("The payload must not overlap the message buffer.", nameof(payload));
        }

        ReadOnlySpan<NoiseToken> tokens = _pattern.Message(_messageIndex);
        int length = Overhead(tokens) + payload.Length;
        if (length > MaxMessageSize)
        {
            return NoiseResult.MessageTooLong;
        }

        if (message.Length < length)
        {
            return NoiseResult.BufferTooSmall;
        }

        int at = 0;
        foreach (NoiseToken token in tokens)
        {
            NoiseResult result;
            switch (token)
            {
                case NoiseToken.E:
                    GenerateEphemeral();
                    _ephemeralPublic.CopyTo(message[at..]);
                    MixEphemeral(_ephemeralPublic);
                    at += KeySize;
                    result = NoiseResult.Ok;
                    break;
                case NoiseToken.Psk:
                    result = MixPsk();
                    break;
                case NoiseToken.S:
                    int sLength = _symmetric.EncryptedLength(KeySize);
                    result = _symmetric.EncryptAndHash(_localStaticPublic, message.Slice(at, sLength));
                    at += sLength;
                    break;
                default:
                    result = MixDh(token);
                    break;
            }

            if (result != NoiseResult.Ok)
            {
                return Fail(result);
            }
        }

        NoiseResult payloadResult = _symmetric.EncryptAndHash(payload, message[at..]);
        if (payloadResult != NoiseResult.Ok)
        {
            return Fail(payloadResult);
        }

        written = length;
        Advance();
        return NoiseResult.Ok;
    }

    /// <summary>
    /// Reads the peer's next handshake message and writes its payload to <paramref name="payload"/>; <paramref name="read"/>
    /// is the payload length. The payload may be decrypted in place (same start as the message's payload part).
    /// On MessageTooShort, MessageTooLong and BufferTooSmall nothing changed; any other failure ends the handshake.
    /// </summary>
    public NoiseResult ReadMessage(ReadOnlySpan<byte> message, Span<byte> payload, out int read)
    {
        read = 0;
        NoiseResult state = CheckTurn(writing: false);
        if (state != NoiseResult.Ok)
        {
            return state;
        }

        if (message.Length > MaxMessageSize)
        {
            return NoiseResult.MessageTooLong;
        }

        ReadOnlySpan<NoiseToken> tokens = _pattern.Message(_messageIndex);
        int overhead = Overhead(tokens);
        if (message.Length < overhead)
        {
            return NoiseResult.MessageTooShort;
        }

        int payloadLength = message.Length - overhead;
        if (payload.Length < payloadLength)
        {
            return NoiseResult.BufferTooSmall;
        }

        // In place is only safe (and only meant) for the payload's own bytes: same start, nothing else shared.
        int payloadStart = TokenBytes(tokens, out _);
        Span<byte> target = payload[..payloadLength];
        if (target.Overlaps(message) && !(target.Overlaps(message[payloadStart..], out int offset) && offset == 0))
        {
            throw new ArgumentException("The payload buffer may overlap the message only at the payload's own position.", nameof(payload));
        }

        int at = 0;
        foreach (NoiseToken token in tokens)
        {
            NoiseResult result;
            switch (token)
            {
                case NoiseToken.E:
                    message.Slice(at, KeySize).CopyTo(_remoteEphemeral);
                    _hasRemoteEphemeral = true;
                    MixEphemeral(_remoteEphemeral);
                    at += KeySize;
                    result = NoiseResult.Ok;
                    break;
                case NoiseToken.Psk:
                    result = MixPsk();
                    break;
                case NoiseToken.S:
                    int sLength = _symmetric.EncryptedLength(KeySize);
                    result = _symmetric.DecryptAndHash(message.Slice(at, sLength), _remoteStatic);
                    _hasRemoteStatic = result == NoiseResult.Ok;
                    at += sLength;
                    break;
                default:
                    result = MixDh(token);
                    break;
            }

            if (result != NoiseResult.Ok)
            {
                return Fail(result);
            }
        }

        NoiseResult payloadResult = _symmetric.DecryptAndHash(message[at..], target);
        if (payloadResult != NoiseResult.Ok)
        {
            return Fail(payloadResult);
        }

        read = payloadLength;
        Advance();
        return NoiseResult.Ok;
    }

    /// <summary>
    /// The transport cipher states (spec §5.2 Split) once the handshake is complete. Call once; the handshake's
    /// chaining key and ephemeral keys are zeroed. The transport is the caller's to dispose.
    /// </summary>
    public NoiseTransport Split()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsHandshakeComplete)
        {
            throw new InvalidOperationException("The handshake is not complete.");
        }

        if (_split)
        {
            throw new InvalidOperationException("Split was already called.");
        }

        _split = true;
        (CipherState c1, CipherState c2) = _symmetric.Split();
        ZeroHandshakeSecrets();
        CipherState? send = _initiator ? c1 : c2;
        CipherState? receive = _initiator ? c2 : c1;
        if (_pattern.IsOneWay)
        {
            // One-way patterns (§7.4): only initiator → responder exists; the other key is discarded.
            c2.Dispose();
            if (_initiator)
            {
                receive = null;
            }
            else
            {
                send = null;
            }
        }

        return new NoiseTransport(send, receive, _handshakeHash!);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ZeroHandshakeSecrets();
        if (_localStaticPrivate is not null)
        {
            CryptographicOperations.ZeroMemory(_localStaticPrivate);
        }

        if (_fixedEphemeral is not null)
        {
            CryptographicOperations.ZeroMemory(_fixedEphemeral);
        }

        if (_psks is not null)
        {
            CryptographicOperations.ZeroMemory(_psks);
        }
    }

    private static string Role(bool initiator) => initiator ? "initiator" : "responder";

    private static void CheckKey(ReadOnlySpan<byte> key, string name)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A 25519 key is {KeySize} bytes, not {key.Length}.", name);
        }
    }

    private NoiseResult CheckTurn(bool writing)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            return NoiseResult.HandshakeFailed;
        }

        if (_messageIndex == _pattern.MessageCount)
        {
            return NoiseResult.HandshakeComplete;
        }

        return ((_messageIndex % 2 == 0) == _initiator) == writing ? NoiseResult.Ok : NoiseResult.WrongTurn;
    }

    /// <summary>Bytes of a message beyond its payload: its keys, plus the payload's tag once a key exists.</summary>
    private int Overhead(ReadOnlySpan<NoiseToken> tokens) =>
        TokenBytes(tokens, out bool payloadEncrypted) + (payloadEncrypted ? AeadKey.TagSize : 0);

    /// <summary>Bytes of a message's keys (an encrypted s carries a tag once a key exists), and whether the payload will be encrypted.</summary>
    private int TokenBytes(ReadOnlySpan<NoiseToken> tokens, out bool payloadEncrypted)
    {
        bool hasKey = _symmetric.Cipher.HasKey;
        int length = 0;
        foreach (NoiseToken token in tokens)
        {
            switch (token)
            {
                case NoiseToken.E:
                    length += KeySize;
                    hasKey |= _pattern.PskCount > 0; // psk patterns MixKey(e) too (§9.2)
                    break;
                case NoiseToken.S:
                    length += hasKey ? KeySize + AeadKey.TagSize : KeySize;
                    break;
                default:
                    hasKey = true;
                    break;
            }
        }

        payloadEncrypted = hasKey;
        return length;
    }

    private void GenerateEphemeral()
    {
        if (_fixedEphemeral is not null)
        {
            _fixedEphemeral.CopyTo(_ephemeralPrivate, 0);
        }
        else
        {
            RandomNumberGenerator.Fill(_ephemeralPrivate);
        }

        X25519.ScalarMultBase(_ephemeralPrivate, _ephemeralPublic);
        _hasEphemeral = true;
    }

    /// <summary>MixHash(e), and in a psk pattern MixKey(e) as well (§9.2: the ephemeral randomises the psk-derived key).</summary>
    private void MixEphemeral(ReadOnlySpan<byte> publicKey)
    {
        _symmetric.MixHash(publicKey);
        if (_pattern.PskCount > 0)
        {
            _symmetric.MixKey(publicKey);
        }
    }

    /// <summary>MixKeyAndHash(the next pre-shared key).</summary>
    private NoiseResult MixPsk()
    {
        // The constructor checked there is one per psk token.
        _symmetric.MixKeyAndHash(_psks.AsSpan(_pskIndex * KeySize, KeySize));
        _pskIndex++;
        return NoiseResult.Ok;
    }

    /// <summary>MixKey(DH(...)) for ee, es, se, ss from this side's point of view.</summary>
    private NoiseResult MixDh(NoiseToken token)
    {
        // es = initiator's e with responder's s; se = initiator's s with responder's e.
        (bool localStatic, bool remoteStatic) = token switch
        {
            NoiseToken.EE => (false, false),
            NoiseToken.ES => (!_initiator, _initiator),
            NoiseToken.SE => (_initiator, !_initiator),
            _ => (true, true),
        };

        if (localStatic ? !_hasLocalStatic : !_hasEphemeral)
        {
            throw new InvalidOperationException($"{_protocol.Name}: local {(localStatic ? "static" : "ephemeral")} key missing for {token}.");
        }

        if (remoteStatic ? !_hasRemoteStatic : !_hasRemoteEphemeral)
        {
            throw new InvalidOperationException($"{_protocol.Name}: remote {(remoteStatic ? "static" : "ephemeral")} key missing for {token}.");
        }

        ReadOnlySpan<byte> remote = remoteStatic ? _remoteStatic : _remoteEphemeral;
        Span<byte> shared = stackalloc byte[KeySize];
        bool ok = !localStatic
            ? X25519.ScalarMult(_ephemeralPrivate, remote, shared)
            : _localStaticKey?.Agree(remote, shared) ?? X25519.ScalarMult(_localStaticPrivate, remote, shared);
        if (!ok)
        {
            return NoiseResult.InvalidPublicKey;
        }

        _symmetric.MixKey(shared);
        CryptographicOperations.ZeroMemory(shared);
        return NoiseResult.Ok;
    }

    private void Advance()
    {
        _messageIndex++;
        if (_messageIndex == _pattern.MessageCount)
        {
            _handshakeHash = _symmetric.HandshakeHash.ToArray();
        }
    }

    private NoiseResult Fail(NoiseResult result)
    {
        _failed = true;
        ZeroHandshakeSecrets();
        return result;
    }

    private void ZeroHandshakeSecrets()
    {
        CryptographicOperations.ZeroMemory(_ephemeralPrivate);
        _hasEphemeral = false;
        _symmetric.Dispose();
    }
}
