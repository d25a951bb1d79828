using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Mixnode.Cli.Run;

namespace Mixnode.Fuzz;

/// <summary>
/// The node's settings as <c>mixnode run</c> reads them: the input is an appsettings.json, loaded by the
/// configuration's JSON provider, then bound and validated by <see cref="StartupConfiguration.Bind"/> (the binder
/// plus <c>NodeOptionsValidator</c>). Bind promises <see cref="OptionsValidationException"/> for every bad setting,
/// with a message naming it; any other exception (the binder's own, or one from a rule) is a crash. A file the JSON
/// provider cannot read at all is refused before binding, by the provider (not the code under test).
/// </summary>
internal sealed class NodeConfigurationTarget : IFuzzTarget
{
    public string Name => "config";

    public void Run(ReadOnlySpan<byte> input)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(input.ToArray())).Build();
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidDataException)
        {
            return;
        }

        try
        {
            StartupConfiguration.Bind(configuration);
        }
        catch (OptionsValidationException)
        {
        }
    }
}
