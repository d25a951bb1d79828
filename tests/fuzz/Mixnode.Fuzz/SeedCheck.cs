using Microsoft.Extensions.Configuration;
using Mixnode.Cli.Run;
using Mixnode.Links.Wire;
using Mixnode.Noise;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Fuzz;

/// <summary>
/// Whether the committed seeds are still valid inputs (each gets past its target's first checks to the accepting
/// path). A seed that a format change made invalid does not crash anything; it just leaves the fuzzer starting
/// from a refusal, so it is checked here rather than left to go stale.
/// </summary>
public static class SeedCheck
{
    /// <summary>One line per seed that is not accepted by the code it feeds; empty when all are.</summary>
    public static IReadOnlyList<string> Problems(string corpusDirectory)
    {
        var problems = new List<string>();
        foreach (string file in Directory.GetFiles(corpusDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string target = Path.GetFileName(Path.GetDirectoryName(file)!);
            string? why;
            try
            {
                why = Check(target, File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // any failure of a seed is reported, with its type
            catch (Exception e)
#pragma warning restore CA1031
            {
                why = $"{e.GetType().Name}: {e.Message}";
            }

            if (why is not null)
            {
                problems.Add($"{target}/{Path.GetFileName(file)}: {why}");
            }
        }

        return problems;
    }

    private static string? Check(string target, byte[] seed) => target switch
    {
        "sphinx" => Sphinx(seed),
        "commands" => RoutingCommandCodec.TryParse(seed, out _) is var parsed && parsed == CommandParseResult.Ok ? null : parsed.ToString(),
        "wire" => WireCodec.TryDecode(seed, out _) is var decoded && decoded == WireDecodeResult.Ok ? null : decoded.ToString(),
        "noise" => Noise(seed),
        "pki" => Pki(seed),
        "config" => Config(seed),
        "authority" => Authority(seed),
        "handshake" => HandshakeReaderTarget.Check(seed),
        "transport" => TransportFrameTarget.Check(seed),
        "client" => ClientCommandsTarget.Check(seed),
        "batch" => BatchUnwrapTarget.Check(seed),
        "keyfiles" => KeyFilesTarget.Check(seed),
        "authorityhttp" => AuthorityHttpTarget.Check(seed),
        _ => "no such target",
    };

    private static string? Sphinx(byte[] seed)
    {
        byte[] packet = seed[1..];
        if ((seed[0] & SphinxUnwrapTarget.FixMac) != 0)
        {
            SphinxUnwrapTarget.FixHeaderMac(packet);
        }

        UnwrapResult result = SphinxUnwrapper.Unwrap(SphinxUnwrapTarget.Geometry, FuzzKeys.MixKey, packet, out _);
        return result == UnwrapResult.Success ? null : result.ToString();
    }

    private static string? Noise(byte[] seed)
    {
        byte[] payload = new byte[HandshakeState.MaxMessageSize];
        byte[] first = new byte[HandshakeState.MaxMessageSize];
        NoiseResult result;
        if ((seed[0] & 1) == 0)
        {
            using HandshakeState responder = NoiseHandshakeTarget.Responder();
            result = responder.ReadMessage(seed.AsSpan(1), payload, out _);
        }
        else
        {
            using HandshakeState initiator = NoiseHandshakeTarget.Initiator();
            initiator.WriteMessage([], first, out _);
            result = initiator.ReadMessage(seed.AsSpan(1), payload, out _);
        }

        return result == NoiseResult.Ok ? null : result.ToString();
    }

    private static string? Pki(byte[] seed)
    {
        byte[] body = seed[1..];
        switch (seed[0] % 4)
        {
            case PkiDocumentTarget.SignedDocument:
                SignedNetworkDocument.VerifyWithSigners(body, PkiDocumentTarget.Authorities);
                break;
            case PkiDocumentTarget.DocumentPayload:
                SignedNetworkDocument.VerifyWithSigners(PkiDocumentTarget.SignDocumentPayload(body) ?? throw new FormatException("payload is not JSON"), PkiDocumentTarget.Authorities);
                break;
            case PkiDocumentTarget.SignedUpload:
                SignedDescriptor.Open(body);
                break;
            default:
                SignedDescriptor.Open(PkiDocumentTarget.SignUploadPayload(body) ?? throw new FormatException("payload is not JSON"));
                break;
        }

        return null;
    }

    private static string? Config(byte[] seed)
    {
        StartupConfiguration.Bind(new ConfigurationBuilder().AddJsonStream(new MemoryStream(seed)).Build());
        return null;
    }

    private static string? Authority(byte[] seed)
    {
        int mode = seed[0] % 6;
        byte[] body = seed[1..];
        if (mode % 2 == 1)
        {
            body = PkiDocumentTarget.SignAsAuthority(AuthorityMessagesTarget.Context(mode - 1), body) ?? throw new FormatException("payload is not JSON");
        }

        AuthorityMessagesTarget.Open(mode - (mode % 2), body);
        return null;
    }
}
