namespace Mixnode.Node.Telemetry;

/// <summary>
/// Which mix key a replay-filter reading belongs to, relative to the current epoch. A closed set: it becomes the
/// <c>key</c> tag of the filter gauges, never an epoch number. Around a boundary a node holds up to three keys: the
/// previous one (its grace period), the current one, and the next one (published ahead).
/// </summary>
public enum ReplayFilterKey
{
    Previous,
    Current,
    Next,
}

internal static class ReplayFilterKeyTags
{
    public static string ToTag(this ReplayFilterKey key) => key switch
    {
        ReplayFilterKey.Previous => "previous",
        ReplayFilterKey.Current => "current",
        ReplayFilterKey.Next => "next",
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };
}
