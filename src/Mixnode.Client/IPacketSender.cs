namespace Mixnode.Client;

/// <summary>Where a client's packets go: its provider link (<see cref="ClientLink"/>), or a test's recorder.</summary>
internal interface IPacketSender
{
    /// <summary>Sends one Sphinx packet; false when the link is gone.</summary>
    ValueTask<bool> SendPacketAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default);
}
