using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Mixnode.Node;

namespace Mixnode.Cli.Run;

/// <summary>
/// Reads and checks the <c>Mixnode</c> section before the host is built, so that a value of the wrong type
/// (<c>Mixnode:MaxNodeDelay=abc</c>) or any invalid setting is one clear error before anything listens, rather than
/// the binder's exception from deep inside the host's start.
/// </summary>
internal static partial class StartupConfiguration
{
    /// <summary>The bound options; throws <see cref="OptionsValidationException"/> with every problem found.</summary>
    public static NodeOptions Bind(IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection(NodeOptions.SectionName);
        var options = new NodeOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e) when (ConversionFailure().Match(e.Message) is { Success: true } match)
        {
            string path = match.Groups["path"].Value;
            throw new OptionsValidationException(NodeOptions.SectionName, typeof(NodeOptions), [$"{path} '{configuration[path]}' is not {Expected(match.Groups["type"].Value)}."]);
        }

        ValidateOptionsResult result = new NodeOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(NodeOptions.SectionName, typeof(NodeOptions), result.Failures);
        }

        return options;
    }

    private static string Expected(string type) => type switch
    {
        "System.TimeSpan" or "System.Nullable`1[System.TimeSpan]" => "a duration: [d.]hh:mm:ss[.fff], for example 00:00:10 for ten seconds",
        "System.Int32" or "System.Int64" or "System.Nullable`1[System.Int32]" or "System.Nullable`1[System.Int64]" => "a whole number",
        "System.Double" or "System.Nullable`1[System.Double]" => "a number, for example 0.5",
        "System.Boolean" => "true or false",
        _ => $"a valid {type}",
    };

    // The binder's message, with the value (newer runtimes) or without it.
    [GeneratedRegex(@"^Failed to convert configuration value (?:'.*' )?at '(?<path>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
