namespace Mixnode.Pki;

/// <summary>Loopix roles: providers are where routes start and end (clients, mailboxes); mixes form the layers between.</summary>
internal enum NodeRole
{
    Mix,
    Provider,
}
