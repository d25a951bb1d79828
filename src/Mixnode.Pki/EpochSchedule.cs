namespace Mixnode.Pki;

/// <summary>
/// What happens when within epoch E to make the document for E + 1, as fractions of the epoch period (Katzenpost
/// cuts its epoch in eighths the same way):
/// <list type="table">
/// <item><term>0 – 2/8</term><description>nodes upload their descriptors for E + 1 to every authority</description></item>
/// <item><term>2/8</term><description>descriptor deadline: each authority signs and sends its vote (descriptors + SRV commit)</description></item>
/// <item><term>4/8</term><description>at the latest (earlier once every vote is in): reveals</description></item>
/// <item><term>5/8</term><description>at the latest: each computes the document, signs it, sends the signature</description></item>
/// <item><term>6/8</term><description>at the latest: the document with a threshold of signatures is published</description></item>
/// <item><term>6/8 – 1</term><description>nodes and clients fetch it before E + 1 begins</description></item>
/// </list>
/// </summary>
internal sealed class EpochSchedule
{
    public EpochSchedule(EpochClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
    }

    public EpochClock Clock { get; }

    /// <summary>Uploads for E + 1 must arrive before this instant of epoch E.</summary>
    public DateTimeOffset DescriptorDeadline(long epoch) => At(epoch, 2);

    /// <summary>Reveals go out by this instant of E at the latest.</summary>
    public DateTimeOffset RevealDeadline(long epoch) => At(epoch, 4);

    /// <summary>Document signatures go out by this instant of E at the latest.</summary>
    public DateTimeOffset SignatureDeadline(long epoch) => At(epoch, 5);

    /// <summary>The document for E + 1 is published by this instant of E at the latest.</summary>
    public DateTimeOffset PublishDeadline(long epoch) => At(epoch, 6);

    private DateTimeOffset At(long epoch, int eighths) => Clock.StartOf(epoch) + (Clock.Period * eighths / 8);
}
