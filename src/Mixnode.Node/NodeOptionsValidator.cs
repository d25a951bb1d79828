using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;
using Mixnode.Pki;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node;

/// <summary>
/// Every rule on the settings: the attributes of <see cref="NodeOptions"/> and of its nested sections, then the
/// rules between settings that attributes cannot express. Every message names the setting (as it is written in
/// appsettings.json / <c>MIXNODE__</c> variables) and says how to fix it.
/// </summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    private readonly bool _aesHardware;

    public NodeOptionsValidator()
        : this(AesBackend.IsHardwareAccelerated)
    {
    }

    /// <summary>Tests: as on a CPU with (or without) AES-NI.</summary>
    internal NodeOptionsValidator(bool aesHardware) => _aesHardware = aesHardware;

    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (AesBackend.Refusal(options.AllowSoftwareAes, _aesHardware, NodeOptions.SectionName + ":AllowSoftwareAes") is string aes)
        {
            errors.Add(aes);
        }

        // Not ValidateDataAnnotations(): it checks only top-level properties (the Links and Delivery ranges went
        // unchecked) and its messages name 'Member' rather than the setting.
        ValidateAttributes(options, NodeOptions.SectionName, errors);
        ValidateAttributes(options.Links, NodeOptions.SectionName + ":Links", errors);
        ValidateAttributes(options.Delivery, NodeOptions.SectionName + ":Delivery", errors);
        ValidateAttributes(options.Clients, NodeOptions.SectionName + ":Clients", errors);
        ValidateAttributes(options.Mixing, NodeOptions.SectionName + ":Mixing", errors);
        ValidateAttributes(options.Telemetry, NodeOptions.SectionName + ":Telemetry", errors);
        ValidateAttributes(options.Authorities, NodeOptions.SectionName + ":Authorities", errors);
        ValidateManagement(options, errors);
        ValidateDirectory(options, errors);
        if (options.ClientListenAddress.Length > 0 && !TryParseEndPoint(options.ClientListenAddress, out _))
        {
            errors.Add($"Mixnode:ClientListenAddress '{options.ClientListenAddress}' is not ip:port (for example 127.0.0.1:31001), or leave it empty on a mix.");
        }

        if (!TryParseEndPoint(options.ListenAddress, out _))
        {
            errors.Add($"Mixnode:ListenAddress '{options.ListenAddress}' is not host:port with an IP address (for example 127.0.0.1:30001).");
        }

        if (ResolveGeometry(options.Geometry) is null)
        {
            errors.Add($"Mixnode:Geometry '{options.Geometry}' is unknown; use 'default' (5 hops, 3082-byte packets) or 'vectors' (611-byte packets).");
        }

        if (!string.Equals(options.Delivery.Sink, "mailbox", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(options.Delivery.Sink, "count", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Mixnode:Delivery:Sink '{options.Delivery.Sink}' is unknown; use 'mailbox' or 'count'.");
        }

        LinkOptions links = options.Links;
        if (links.MaxConnectionsPerAddress > links.MaxConnections)
        {
            errors.Add($"Mixnode:Links:MaxConnectionsPerAddress ({links.MaxConnectionsPerAddress}) exceeds Mixnode:Links:MaxConnections ({links.MaxConnections}); lower it.");
        }

        if (links.NoOpInterval >= links.IdleTimeout)
        {
            errors.Add($"Mixnode:Links:NoOpInterval ({links.NoOpInterval}) must be shorter than Mixnode:Links:IdleTimeout ({links.IdleTimeout}), or idle peers are cut off.");
        }

        if (links.ReconnectBackoffMin > links.ReconnectBackoffMax)
        {
            errors.Add($"Mixnode:Links:ReconnectBackoffMin ({links.ReconnectBackoffMin}) exceeds Mixnode:Links:ReconnectBackoffMax ({links.ReconnectBackoffMax}).");
        }

        ValidateMixing(options, errors);

        if (options.MaxNodeDelay > options.EpochPeriod)
        {
            errors.Add($"Mixnode:MaxNodeDelay ({options.MaxNodeDelay}) exceeds Mixnode:EpochPeriod ({options.EpochPeriod}): a packet would outlive the key it was made for.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// The strategy override and the pool it makes (the document's pool, when it has one, under the overrides given;
    /// <see cref="PoolParameters.Default"/> otherwise). Throws <see cref="TopologyException"/> naming the rule broken.
    /// </summary>
    internal static (MixingStrategy Strategy, PoolParameters? Pool) ResolveMixing(MixingOptions overrides, MixingParameters document)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(document);
        MixingStrategy strategy = overrides.Strategy.Length == 0 ? document.Strategy
            : MixingStrategyNames.Parse(overrides.Strategy) ?? throw new TopologyException($"Mixnode:Mixing:Strategy '{overrides.Strategy}' is unknown; use '{MixingStrategyNames.Poisson}' or '{MixingStrategyNames.TimedPool}'.");
        if (strategy != MixingStrategy.TimedPool)
        {
            return (strategy, null);
        }

        PoolParameters basis = document.Pool ?? PoolParameters.Default;
        var pool = new PoolParameters(
            overrides.PoolInterval ?? basis.Interval,
            overrides.PoolThreshold ?? basis.Threshold,
            overrides.PoolMinPool ?? basis.MinPool,
            overrides.PoolFraction ?? basis.Fraction,
            PoolSettingNames.Configuration);
        return (strategy, pool);
    }

    private static void ValidateMixing(NodeOptions options, List<string> errors)
    {
        MixingOptions mixing = options.Mixing;
        if (mixing.Strategy.Length > 0 && MixingStrategyNames.Parse(mixing.Strategy) is null)
        {
            errors.Add($"Mixnode:Mixing:Strategy '{mixing.Strategy}' is unknown; use '{MixingStrategyNames.Poisson}', '{MixingStrategyNames.TimedPool}' or leave it empty (the network document's).");
            return;
        }

        if (mixing.PoolInterval is { } interval && (interval < TimeSpan.Zero || interval > TimeSpan.FromHours(1)))
        {
            errors.Add($"Mixnode:Mixing:PoolInterval ({interval}) must be between 0 and one hour.");
            return;
        }

        if (mixing.Strategy == MixingStrategyNames.TimedPool)
        {
            try
            {
                var (_, pool) = ResolveMixing(mixing, new MixingParameters(MixingParameters.DefaultMeanDelayMs, 0));
                if (pool!.MinPool >= options.DelayQueueCapacity)
                {
                    errors.Add($"Mixnode:Mixing:PoolMinPool ({pool.MinPool}) must be below Mixnode:DelayQueueCapacity ({options.DelayQueueCapacity}), or a full pool would never send.");
                }
            }
            catch (TopologyException e)
            {
                errors.Add(e.Message);
            }
        }
    }

    private static void ValidateManagement(NodeOptions options, List<string> errors)
    {
        string management = options.Management.ListenAddress;
        if (management.Length > 0 && !TryParseManagementEndPoint(management, out _))
        {
            errors.Add($"Mixnode:Management:ListenAddress '{management}' is not ip:port (for example 127.0.0.1:9464), or leave it empty to turn the endpoint off.");
        }

        TelemetryOptions telemetry = options.Telemetry;
        if (telemetry.OtlpEndpoint.Length > 0
            && (!Uri.TryCreate(telemetry.OtlpEndpoint, UriKind.Absolute, out Uri? otlp) || (otlp.Scheme != Uri.UriSchemeHttp && otlp.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Mixnode:Telemetry:OtlpEndpoint '{telemetry.OtlpEndpoint}' is not an http(s) URL (for example http://127.0.0.1:4317), or leave it empty to send nothing.");
        }

        if (telemetry.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            errors.Add($"Mixnode:Telemetry:OtlpProtocol '{telemetry.OtlpProtocol}' is unknown; use 'grpc' or 'http/protobuf'.");
        }
    }

    /// <summary>The management endpoint's address: ip:port, where port 0 (any free port) is allowed.</summary>
    public static bool TryParseManagementEndPoint(string value, out IPEndPoint endPoint) =>
        IPEndPoint.TryParse(value, out endPoint!) && value.Contains(':', StringComparison.Ordinal);

    /// <summary>The geometry a setting names, or null.</summary>
    public static SphinxGeometry? ResolveGeometry(string name) => name.ToLowerInvariant() switch
    {
        "default" => SphinxGeometry.Default,
        "vectors" => SphinxGeometry.KatzenpostVectors,
        _ => null,
    };

    /// <summary>
    /// Either the authorities file (the node follows the voting authorities) or the signed document and the key of the
    /// one offline authority. The authorities file is read here, so a missing, unparsable or unsafe one (a threshold
    /// below a majority) stops the start with the reason.
    /// </summary>
    private static void ValidateDirectory(NodeOptions options, List<string> errors)
    {
        if (options.AuthoritiesFile.Length > 0)
        {
            if (!File.Exists(options.AuthoritiesFile))
            {
                errors.Add($"Mixnode:AuthoritiesFile '{options.AuthoritiesFile}' does not exist (give the authorities.json of the network's directory authorities).");
                return;
            }

            try
            {
                _ = AuthoritySet.Read(options.AuthoritiesFile);
            }
            catch (TopologyException e)
            {
                errors.Add($"Mixnode:AuthoritiesFile '{options.AuthoritiesFile}' is unusable: {e.Message}");
            }

            return;
        }

        if (options.TopologyPath.Length == 0)
        {
            errors.Add("Mixnode:TopologyPath is required (the signed network document), unless Mixnode:AuthoritiesFile names the directory authorities to follow.");
        }

        if (options.AuthorityPublicKeyPath.Length == 0)
        {
            errors.Add("Mixnode:AuthorityPublicKeyPath is required (the key the network document is signed with), unless Mixnode:AuthoritiesFile names the directory authorities to follow.");
        }
    }

    private static void ValidateAttributes(object section, string path, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true))
        {
            return;
        }

        foreach (ValidationResult result in results)
        {
            string member = string.Join(", ", result.MemberNames.Select(m => $"{path}:{m}"));
            errors.Add($"{(member.Length == 0 ? path : member)}: {result.ErrorMessage}");
        }
    }

    public static bool TryParseEndPoint(string value, out IPEndPoint endPoint) =>
        IPEndPoint.TryParse(value, out endPoint!) && endPoint.Port != 0;
}
