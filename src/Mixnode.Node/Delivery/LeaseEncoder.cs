namespace Mixnode.Node.Delivery;

/// <summary>Encodes the answer carrying <paramref name="message"/> into a frame's plaintext.</summary>
internal delegate bool LeaseEncoder(in StoredMessage message, Span<byte> frame);
