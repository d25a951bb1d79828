using Mixnode.Authority.Configuration;
using Mixnode.Authority.Protocol;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Engine;

/// <summary>What an authority runs with, loaded and checked once at start: its key, the authorities, the nodes, the parameters it proposes.</summary>
internal sealed class AuthoritySettings
{
    public const string KeyFileName = "authority.key";
    public const string PublicKeyFileName = "authority.pub";

    public AuthoritySettings(
        Key key,
        AuthoritySet authorities,
        NodeList nodes,
        NetworkParameters parameters,
        AddressPolicy policy,
        TimeSpan maxClockSkew,
        TimeSpan bootstrapWait,
        TimeSpan phaseTimeout,
        string? stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(authorities);
        Key = key;
        PublicKey = Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        Self = authorities.Find(PublicKey) ?? throw new TopologyException(PkiRefusal.UnknownSigner, "this authority's key (authority.key) is not listed in the authorities file");
        Authorities = authorities;
        Nodes = nodes;
        Parameters = parameters;
        Policy = policy;
        MaxClockSkew = maxClockSkew;
        BootstrapWait = bootstrapWait;
        PhaseTimeout = phaseTimeout;
        StateDirectory = stateDirectory;
    }

    public Key Key { get; }

    public Bytes32 PublicKey { get; }

    public AuthorityInfo Self { get; }

    public AuthoritySet Authorities { get; }

    public IEnumerable<AuthorityInfo> Peers => Authorities.Authorities.Where(a => a.PublicKey != PublicKey);

    public NodeList Nodes { get; }

    public NetworkParameters Parameters { get; }

    public AddressPolicy Policy { get; }

    public TimeSpan MaxClockSkew { get; }

    public TimeSpan BootstrapWait { get; }

    public TimeSpan PhaseTimeout { get; }

    public string? StateDirectory { get; }

    /// <summary>Reads the key and files the options name; a <see cref="TopologyException"/> or <see cref="KeyFileException"/> says what is wrong.</summary>
    public static AuthoritySettings Load(AuthorityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        KeyDirectory.CheckPrivate(options.KeysDirectory); // refused before the key is read if others may open it
        Key key = KeyFile.ReadEd25519(Path.Combine(options.KeysDirectory, KeyFileName));
        AuthoritySet authorities = AuthoritySet.Read(options.AuthoritiesFile);
        var settings = new AuthoritySettings(
            key,
            authorities,
            NodeList.Read(options.NodesFile),
            AuthorityOptionsValidator.ToParameters(options),
            new AddressPolicy(options.AllowLoopbackAddresses, options.AllowPrivateAddresses),
            options.MaxClockSkew,
            options.BootstrapWait,
            options.BootstrapPhaseTimeout,
            options.StateDirectory);
        if (!string.Equals(settings.Self.Name, options.Name, StringComparison.Ordinal))
        {
            throw new TopologyException($"Mixnode:Authority:Name is '{options.Name}' but the authorities file lists this authority's key as '{settings.Self.Name}'");
        }

        return settings;
    }
}
