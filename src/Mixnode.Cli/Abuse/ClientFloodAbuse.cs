namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>client-flood</c>: many clients of the target provider (fresh keys; a client the provider closes comes back with
/// a new key) sending drop packets at R/s in all: ingress that used to crowd out the packets arriving on mix links.
/// </summary>
internal static class ClientFloodAbuse
{
    public static IAbuse Create(AbuseTarget target, AbuseOptions options, TextWriter output) =>
        new PacketFloodAbuse(target, options.Clients, b => AbuseMessages.Drop(b, target.Provider), output);
}
