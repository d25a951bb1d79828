using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Configuration;

/// <summary>A node an authority accepts descriptors from: its name, Ed25519 identity key and role.</summary>
internal sealed record ListedNode(string Name, Bytes32 IdentityKey, NodeRole Role);
