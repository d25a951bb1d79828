namespace Mixnode.Node.Mixing;

/// <summary>
/// What must still happen to a packet before a mixer lets it leave. The unwrap stage implements it
/// (<c>Unwrap/ReBlinder</c>: a forward's alpha is re-blinded while it waits, and must be before it goes), so the mixer
/// depends on this small interface rather than on the crypto that stands behind it.
/// </summary>
internal interface IDepartureGate
{
    /// <summary>Makes the packet ready to leave (waits if another thread is doing it); false when it must be dropped.</summary>
    bool TryReady(byte[] buffer);

    /// <summary>Shutdown: from now on nothing still pending may become ready (no packet leaves unfinished).</summary>
    void Close();
}
