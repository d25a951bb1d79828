using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Hosting;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Telemetry;
using Mixnode.Authority.Transport;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Fuzz;

/// <summary>
/// The request bodies an authority's HTTP API accepts, handed to what its handlers call with them
/// (<see cref="AuthorityApi"/>: <c>POST /v1/descriptor</c> → <see cref="AuthorityEngine.SubmitDescriptor"/>,
/// <c>POST /v1/vote|reveal|signature</c> → <see cref="AuthorityEngine.Receive"/>), after the same size limits the
/// handlers apply before parsing. Kestrel itself is not driven: a request through the in-process server costs
/// milliseconds, the fuzzer needs thousands a second, and the bytes only matter once they reach these calls.
/// A fresh engine per input (one of two authorities, the harness's node listed, its clock one second into epoch
/// <see cref="Epoch"/>), so that inputs do not depend on each other. Input: byte 0 mod 8: 0 a descriptor upload, 1 an
/// upload's payload signed by the listed node's identity; 2 a vote, 3 a vote's payload signed by the other authority;
/// 4, 5 a reveal; 6, 7 a certificate. The handlers promise a <see cref="Refusal"/> (null for accepted) for every body,
/// never an exception; the refusal's reason must be one the API maps to a status.
/// </summary>
internal sealed class AuthorityHttpTarget : IFuzzTarget
{
    public const long Epoch = 100;

    private static readonly TimeSpan s_period = TimeSpan.FromMinutes(20);
    private static readonly Bytes32 s_self = PublicKey(FuzzKeys.Authority);
    private static readonly Bytes32 s_peer = PublicKey(FuzzKeys.PeerAuthority);

    public string Name => "authorityhttp";

    /// <summary>The listed mix's identity (the documents a certificate covers need a mix layer; its key signs nothing here).</summary>
    public static Bytes32 MixIdentity { get; } = Bytes32.From(System.Security.Cryptography.SHA256.HashData("fuzz mix identity"u8));

    public static DateTimeOffset Now => EpochClock.Origin + (s_period * Epoch) + TimeSpan.FromSeconds(1);

    public static AuthoritySet Authorities { get; } = new([new AuthorityInfo("auth-0", "127.0.0.1:31000", s_self), new AuthorityInfo("auth-1", "127.0.0.1:31001", s_peer)], 2);

    public static NetworkParameters Parameters { get; } = new(s_period, 1, SphinxUnwrapTarget.Geometry, new MixingParameters(MixingParameters.DefaultMeanDelayMs, MixingParameters.DefaultLoopRatePerSecond));

    public void Run(ReadOnlySpan<byte> input) => Process(input);

    /// <summary>For the seed check: null when the authority accepts the seed's body.</summary>
    public static string? Check(byte[] seed) => Process(seed) is { } refusal ? $"{refusal.Reason}: {refusal.Message}" : null;

    /// <summary>The refusal; null when accepted (or when the handler would not get that far: not JSON to sign, too large).</summary>
    private static Refusal? Process(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return null;
        }

        int mode = input[0] % 8;
        byte[] body = input[1..].ToArray();
        if (mode % 2 == 1)
        {
            byte[]? signed = mode == 1
                ? PkiDocumentTarget.SignUploadPayload(body)
                : SignAsPeer(AuthorityMessagesTarget.Context(mode - 3), body);
            if (signed is null)
            {
                return null;
            }

            body = signed;
        }

        if (body.Length > (mode < 2 ? AuthorityApi.MaxDescriptorBytes : SignedEnvelope.MaxLength))
        {
            // The handler answers 413 before parsing.
            return null;
        }

        var time = new FakeTimeProvider(Now);
        using var meters = new FuzzMeterFactory();
        using var engine = new AuthorityEngine(Settings(), time, new NoPeers(), new AuthorityMetrics(meters), NullLogger.Instance);
        Refusal? refusal = mode < 2 ? engine.SubmitDescriptor(body) : engine.Receive(Kind(mode), body);
        if (refusal is { } r && !Enum.IsDefined(r.Reason))
        {
            throw new InvariantViolatedException($"a refusal with an undefined reason {(int)r.Reason}: {r.Message}");
        }

        return refusal;
    }

    public static PeerMessageKind Kind(int mode) => (mode / 2) switch
    {
        1 => PeerMessageKind.Vote,
        2 => PeerMessageKind.Reveal,
        _ => PeerMessageKind.Certificate,
    };

    /// <summary>An envelope of <paramref name="payload"/> signed by the other authority; null when the payload is not JSON.</summary>
    public static byte[]? SignAsPeer(byte[] context, byte[] payload)
    {
        try
        {
            return SignedEnvelope.Create(context, payload, FuzzKeys.PeerAuthority).Raw.ToArray();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static AuthoritySettings Settings() => new(
        FuzzKeys.Authority,
        Authorities,
        new NodeList([new ListedNode("provider-0", PublicKey(FuzzKeys.NodeIdentity), NodeRole.Provider), new ListedNode("mix-0-0", MixIdentity, NodeRole.Mix)]),
        Parameters,
        new AddressPolicy(AllowLoopback: true, AllowPrivate: false),
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(3),
        stateDirectory: null);

    private static Bytes32 PublicKey(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    /// <summary>An engine that is never started sends nothing; the transport is only there to be handed in.</summary>
    private sealed class NoPeers : IPeerTransport
    {
        public Task<PeerDelivery> SendAsync(AuthorityInfo peer, PeerMessageKind kind, ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the fuzzed engine is not started and sends nothing");

        public Task<byte[]?> FetchConsensusAsync(AuthorityInfo peer, long epoch, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the fuzzed engine is not started and fetches nothing");
    }
}
