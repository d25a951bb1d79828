using System.CommandLine;
using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Cli.Keygen;

/// <summary>
/// <c>mixnode keygen --dir DIR</c>: creates the node's identity, link and mix keys (0600) where missing, keeps the
/// ones that exist, writes <c>DIR/descriptor.json</c> and prints it. Running it again is how an operator tops up mix
/// keys for coming epochs; name, role, layer and addresses are kept from the previous descriptor unless given.
/// </summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "The node's key directory (created 0700 if missing).", Required = true };
        var name = new Option<string?>("--name") { Description = "Node name (letters, digits, '-', '_', '.'); default: the previous one, else the directory's name." };
        var role = new Option<string?>("--role") { Description = "mix or provider; default: the previous one, else mix." };
        role.AcceptOnlyFromAmong("mix", "provider");
        var layer = new Option<int?>("--layer") { Description = "The mix layer (0-based); mixes only; default: the previous one, else 0." };
        var address = new Option<string[]>("--address") { Description = "HOST:PORT where the node accepts links; repeat for several. Default: the previous ones." };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Mix keys to have: the current epoch and the following ones.",
            DefaultValueFactory = _ => MixKeyRotationService.DefaultEpochsAhead,
        };
        var period = new Option<int>("--epoch-period-seconds")
        {
            Description = "Epoch length; must match the network's.",
            DefaultValueFactory = _ => (int)EpochClock.DefaultPeriod.TotalSeconds,
        };
        var command = new Command("keygen", "Create a node's keys (files 0600) and print its public descriptor.") { dir, name, role, layer, address, epochs, period };
        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            int epochCount = parse.GetValue(epochs);
            int periodSeconds = parse.GetValue(period);
            if (epochCount < 1 || epochCount > 1000)
            {
                error.WriteLine($"--epochs must be between 1 and 1000, got {epochCount}");
                return 2;
            }

            if (periodSeconds < 1 || periodSeconds > 7 * 24 * 3600)
            {
                error.WriteLine($"--epoch-period-seconds must be between 1 and 604800, got {periodSeconds}");
                return 2;
            }

            string? roleText = parse.GetValue(role);
            var request = new KeygenRequest(
                parse.GetValue(dir)!,
                parse.GetValue(name),
                roleText is null ? null : roleText == "mix" ? NodeRole.Mix : NodeRole.Provider,
                parse.GetValue(layer),
                parse.GetValue(address) is { Length: > 0 } addresses ? addresses : null,
                epochCount,
                TimeSpan.FromSeconds(periodSeconds));
            return Run(request, TimeProvider.System, parse.InvocationConfiguration.Output, error);
        });
        return command;
    }

    public static int Run(KeygenRequest request, TimeProvider time, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var store = new NodeKeyStore(request.Directory);
            NodeDescriptor? previous = null;
            try
            {
                previous = store.TryReadDescriptor();
            }
            catch (FormatException e)
            {
                error.WriteLine($"note: ignoring the unreadable {store.DescriptorPath} ({e.Message}); writing a new one");
            }

            NodeRole role = request.Role ?? previous?.Role ?? NodeRole.Mix;
            if (role == NodeRole.Provider && request.Layer is not null)
            {
                error.WriteLine("--layer is for mixes; a provider has no layer");
                return 2;
            }

            int layer = role == NodeRole.Provider
                ? NodeDescriptor.NoLayer
                : request.Layer ?? (previous is { Role: NodeRole.Mix } ? previous.Layer : 0);
            if (role == NodeRole.Mix && layer < 0)
            {
                error.WriteLine($"--layer must be 0 or more, got {layer}");
                return 2;
            }

            string name = request.Name ?? previous?.Name ?? Path.GetFileName(store.Directory);
            IReadOnlyList<string> addresses = request.Addresses ?? (IReadOnlyList<string>?)previous?.Addresses ?? [];

            // Checked before any key is written, so a typo does not leave a half-made node directory behind.
            if (NodeDescriptor.ValidateName(name) is { } nameError)
            {
                error.WriteLine($"{nameError} (use --name)");
                return 2;
            }

            foreach (string address in addresses)
            {
                if (NodeDescriptor.ValidateAddress(address) is { } addressError)
                {
                    error.WriteLine($"--address '{address}' {addressError}");
                    return 2;
                }
            }

            store.CreateDirectories();
            store.EnsureIdentityKey();
            store.EnsureLinkKey();
            long current = new EpochClock(time, request.EpochPeriod).Current;
            store.GenerateMixKeys(current, request.Epochs);
            store.PruneMixKeys(current);
            NodeDescriptor descriptor = store.BuildDescriptor(name, addresses, role, layer);
            store.WriteDescriptor(descriptor);
            output.Write(descriptor.ToJson());
            return 0;
        }
        catch (Exception e) when (e is KeyFileException or FormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"keygen failed: {e.Message}");
            return 1;
        }
    }
}
