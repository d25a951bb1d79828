using System.Net;
using Microsoft.Extensions.Options;
using Mixnode.Authority.Protocol;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Configuration;

/// <summary>Every setting checked at start, each failure one line naming the setting (exit 2 from the command).</summary>
internal sealed class AuthorityOptionsValidator : IValidateOptions<AuthorityOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthorityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string p = AuthorityOptions.Section + ":";
        if (NodeDescriptor.ValidateName(options.Name) is { } nameError)
        {
            failures.Add($"{p}Name: {nameError}");
        }

        if (!TryParseEndPoint(options.ListenAddress, out _))
        {
            failures.Add($"{p}ListenAddress must be IP:port (e.g. 127.0.0.1:31000), got '{options.ListenAddress}'");
        }

        foreach ((string setting, string value) in new[]
        {
            ("KeysDirectory", options.KeysDirectory), ("StateDirectory", options.StateDirectory),
            ("AuthoritiesFile", options.AuthoritiesFile), ("NodesFile", options.NodesFile),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{p}{setting} is required");
            }
        }

        // Any address, as the node's: in a container the probes and Prometheus reach the pod's address, not its
        // loopback. The port serves only /metrics and /health/* (the API paths answer 404 there).
        if (options.Management.ListenAddress.Length > 0
            && (!TryParseEndPoint(options.Management.ListenAddress, out IPEndPoint? management) || management!.Port == 0))
        {
            failures.Add($"{p}Management:ListenAddress must be an IP:port with a fixed port (loopback unless Prometheus or a probe reaches it from elsewhere, e.g. 0.0.0.0:9464 in a container), or empty for none; got '{options.Management.ListenAddress}'");
        }

        if (options.MaxClockSkew <= TimeSpan.Zero || options.MaxClockSkew > TimeSpan.FromHours(1))
        {
            failures.Add($"{p}MaxClockSkew must be between 0 and 1 hour, got {options.MaxClockSkew}");
        }

        if (options.BootstrapWait < TimeSpan.Zero || options.BootstrapWait > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{p}BootstrapWait must be between 0 and 10 minutes, got {options.BootstrapWait}");
        }

        if (options.BootstrapPhaseTimeout <= TimeSpan.Zero || options.BootstrapPhaseTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{p}BootstrapPhaseTimeout must be between 0 and 10 minutes, got {options.BootstrapPhaseTimeout}");
        }

        try
        {
            _ = ToParameters(options);
        }
        catch (Exception e) when (e is FormatException or TopologyException or ArgumentException)
        {
            failures.Add($"{p}(network parameters): {e.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The parameters this authority proposes in its votes.</summary>
    public static NetworkParameters ToParameters(AuthorityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SphinxGeometry geometry = options.Geometry switch
        {
            "default" => SphinxGeometry.Default,
            "vectors" => SphinxGeometry.KatzenpostVectors,
            _ => throw new FormatException($"Geometry must be default or vectors, got '{options.Geometry}'"),
        };
        MixingStrategy strategy = MixingStrategyNames.Parse(options.Strategy)
            ?? throw new FormatException($"Strategy must be {MixingStrategyNames.Poisson} or {MixingStrategyNames.TimedPool}, got '{options.Strategy}'");
        PoolParameters? pool = strategy == MixingStrategy.TimedPool
            ? new PoolParameters(TimeSpan.FromMilliseconds(options.Pool.IntervalMs), options.Pool.Threshold, options.Pool.MinPool, options.Pool.Fraction)
            : null;
        var mixing = new MixingParameters(options.MeanDelayMs, options.LoopRatePerSecond, strategy, pool, options.ClientPayloadRatePerSecond, options.ClientLoopRatePerSecond);
        return new NetworkParameters(options.EpochPeriod, options.Layers, geometry, mixing);
    }

    public static bool TryParseEndPoint(string text, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return !string.IsNullOrEmpty(text) && IPEndPoint.TryParse(text, out endPoint) && text.Contains(':', StringComparison.Ordinal);
    }
}
