namespace Mixnode.Node.Mixing;

/// <summary>The delay queue's one-shot alarm: calls back once at (or just after) the last time it was armed for.</summary>
internal interface IReleaseTimer : IDisposable
{
    /// <summary>Replaces the alarm with one at <paramref name="timestamp"/> (a <see cref="TimeProvider.GetTimestamp"/> value).</summary>
    void ArmAt(long timestamp);
}
