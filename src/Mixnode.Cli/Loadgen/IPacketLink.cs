using Mixnode.Client;

namespace Mixnode.Cli.Loadgen;

/// <summary>Where <see cref="LoadgenPacer"/> puts one client's packets: write several, then flush once.</summary>
internal interface IPacketLink
{
    /// <summary>Writes a packet without sending it; false when the link is gone.</summary>
    ValueTask<bool> WritePacketAsync(ReadOnlyMemory<byte> packet);

    /// <summary>Sends what was written; false when the link is gone.</summary>
    ValueTask<bool> FlushAsync();
}

/// <summary>A client's provider link as an <see cref="IPacketLink"/>.</summary>
internal sealed class ClientPacketLink(ClientLink link) : IPacketLink
{
    public ValueTask<bool> WritePacketAsync(ReadOnlyMemory<byte> packet) => link.WritePacketAsync(packet);

    public ValueTask<bool> FlushAsync() => link.FlushAsync();
}
