using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Cli.Keygen;

/// <summary>What <c>mixnode keygen</c> was asked for; null means "keep the previous descriptor's value, else the default".</summary>
internal sealed record KeygenRequest(
    string Directory,
    string? Name,
    NodeRole? Role,
    int? Layer,
    IReadOnlyList<string>? Addresses,
    int Epochs,
    TimeSpan EpochPeriod);
