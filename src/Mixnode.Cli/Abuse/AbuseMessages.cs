using System.Security.Cryptography;
using Mixnode.Client;
using Mixnode.Links;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Abuse;

/// <summary>The packets the abuses send, each built on the builder given (one per thread while prebuilding).</summary>
internal static class AbuseMessages
{
    /// <summary>A short message to a fresh random recipient id at <paramref name="target"/>: a new mailbox there.</summary>
    public static ForwardPacket ToFreshMailbox(PacketBuilder builder, NodeDescriptor sender, NodeDescriptor target) =>
        builder.CreateForward(sender, target, RandomNumberGenerator.GetBytes(Bytes32.Size), "abuse: a message nobody will read"u8);

    /// <summary>A message to <paramref name="recipientId"/> at <paramref name="target"/>.</summary>
    public static ForwardPacket ToRecipient(PacketBuilder builder, NodeDescriptor sender, NodeDescriptor target, Bytes32 recipientId, ReadOnlySpan<byte> message) =>
        builder.CreateForward(sender, target, recipientId.AsReadOnlySpan(), message);

    /// <summary>A Loopix drop from <paramref name="sender"/>'s provider (to a random provider's drop service).</summary>
    public static ForwardPacket Drop(PacketBuilder builder, NodeDescriptor sender) => builder.CreateDrop(sender);

    /// <summary>
    /// A drop at <paramref name="target"/> whose every hop is asked for <paramref name="delayMs"/>: the route the
    /// builder plans, its delays replaced.
    /// </summary>
    public static ForwardPacket LongDelay(PacketBuilder builder, NodeDescriptor sender, NodeDescriptor target, uint delayMs)
    {
        RoutePlan planned = builder.PlanRoute(sender, target);
        var plan = planned with { DelaysMs = [.. planned.DelaysMs.Select(_ => delayMs)] };
        return builder.CreateForward(plan, ServiceRecipients.Drop.AsReadOnlySpan(), "abuse: held as long as allowed"u8);
    }
}
