namespace Mixnode.Pki;

/// <summary>The algorithm a key file holds; it is part of the file's label so a key is never used as the wrong kind.</summary>
internal enum KeyType
{
    /// <summary>Diffie-Hellman keys: the Noise link key and the per-epoch Sphinx mix keys.</summary>
    X25519,

    /// <summary>Signature keys: a node's identity key and the topology authority's key (private part = 32-byte seed).</summary>
    Ed25519,
}
