using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Telemetry;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests.Support;

/// <summary>
/// N authorities and a set of nodes on one <see cref="FakeTimeProvider"/>, wired through an
/// <see cref="InMemoryNetwork"/>. Time starts one second into epoch <see cref="FirstEpoch"/> of 60-second epochs.
/// </summary>
internal sealed class AuthorityTestbed : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(60);
    public const long FirstEpoch = 1_000;

    private readonly List<TempDirectory> _directories = [];

    public AuthorityTestbed(int authorities = 3, int mixes = 6, int providers = 2, bool persist = false, int layers = 3, IEnumerable<TestNode>? extraNodes = null)
    {
        Time = new FakeTimeProvider(EpochClock.Origin + (Period * FirstEpoch) + TimeSpan.FromSeconds(1));
        Time.AutoAdvanceAmount = TimeSpan.Zero;
        Keys = [.. Enumerable.Range(0, authorities).Select(_ => Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }))];
        Authorities = new AuthoritySet(
            Keys.Select((k, i) => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{31000 + i}", Bytes32.From(k.PublicKey.Export(KeyBlobFormat.RawPublicKey)))),
            AuthoritySet.Majority(authorities));
        Nodes = [.. Enumerable.Range(0, mixes).Select(i => new TestNode($"mix-{i}", NodeRole.Mix, i)),
                 .. Enumerable.Range(0, providers).Select(i => new TestNode($"provider-{i}", NodeRole.Provider, 100 + i)), .. extraNodes ?? []];
        NodeList = new NodeList(Nodes.Select(n => n.Listed));
        Parameters = new NetworkParameters(Period, layers, SphinxGeometry.Default, new MixingParameters(MixingParameters.DefaultMeanDelayMs, MixingParameters.DefaultLoopRatePerSecond));
        StateDirectories = [.. Enumerable.Range(0, authorities).Select(_ => persist ? NewDirectory() : null)];
        Engines = [.. Enumerable.Range(0, authorities).Select(NewEngine)];
    }

    public FakeTimeProvider Time { get; }

    public TestMeterFactory Meters { get; } = new();

    public Key[] Keys { get; }

    public AuthoritySet Authorities { get; }

    public List<TestNode> Nodes { get; }

    public NodeList NodeList { get; }

    public NetworkParameters Parameters { get; set; }

    public InMemoryNetwork Network { get; } = new();

    public string?[] StateDirectories { get; }

    public AuthorityEngine[] Engines { get; }

    public EpochClock Clock => new(Time, Period);

    public long Current => Clock.Current;

    public AuthoritySettings Settings(int index, NetworkParameters? parameters = null) => new(
        Keys[index],
        Authorities,
        NodeList,
        parameters ?? Parameters,
        new AddressPolicy(AllowLoopback: true, AllowPrivate: false),
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(3),
        StateDirectories[index]);

    /// <summary>A new engine for authority <paramref name="index"/> (replacing the old one in the network: a restart).</summary>
    public AuthorityEngine NewEngine(int index)
    {
        AuthoritySettings settings = Settings(index);
        var engine = new AuthorityEngine(settings, Time, Network.TransportFor(settings.Self), new AuthorityMetrics(Meters), NullLogger.Instance);
        Network.Add(engine);
        return engine;
    }

    public void StartAll()
    {
        foreach (AuthorityEngine engine in Engines)
        {
            engine.Start();
        }
    }

    /// <summary>Every node (or the given ones) uploads for <paramref name="epoch"/> to every authority that is given.</summary>
    public void Upload(long epoch, IEnumerable<TestNode>? nodes = null, IEnumerable<AuthorityEngine>? to = null)
    {
        foreach (TestNode node in nodes ?? Nodes)
        {
            byte[] raw = node.Upload(epoch).Envelope.Raw.ToArray();
            foreach (AuthorityEngine engine in to ?? Engines)
            {
                Refusal? refusal = engine.SubmitDescriptor(raw);
                Assert.True(refusal is null, $"upload of {node.Name} for {epoch} refused: {refusal}");
            }
        }
    }

    /// <summary>Advances the fake clock in small steps, so every timer fires in order.</summary>
    public void Run(TimeSpan duration)
    {
        TimeSpan step = TimeSpan.FromMilliseconds(50);
        for (TimeSpan done = TimeSpan.Zero; done < duration; done += step)
        {
            Time.Advance(step);
        }
    }

    /// <summary>Advances until <paramref name="condition"/> holds; false if it did not within <paramref name="limit"/> of fake time.</summary>
    public bool RunUntil(Func<bool> condition, TimeSpan limit)
    {
        TimeSpan step = TimeSpan.FromMilliseconds(50);
        for (TimeSpan done = TimeSpan.Zero; done < limit; done += step)
        {
            if (condition())
            {
                return true;
            }

            Time.Advance(step);
        }

        return condition();
    }

    /// <summary>Advances to <paramref name="offset"/> into <paramref name="epoch"/>.</summary>
    public void RunTo(long epoch, TimeSpan offset)
    {
        DateTimeOffset target = Clock.StartOf(epoch) + offset;
        Run(target - Time.GetUtcNow());
    }

    public NetworkDocument Verified(byte[] file) => SignedNetworkDocument.Verify(file, Authorities);

    public void Dispose()
    {
        foreach (AuthorityEngine engine in Engines)
        {
            engine.Dispose();
        }

        Meters.Dispose();
        foreach (TempDirectory directory in _directories)
        {
            directory.Dispose();
        }
    }

    private string NewDirectory()
    {
        var directory = new TempDirectory();
        _directories.Add(directory);
        return directory.Path;
    }
}
