using System.CommandLine;
using System.Globalization;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Cli.Topology;

/// <summary>
/// <c>mixnode topology keygen|sign|verify</c>: the authority's side of the network document. <c>keygen</c> makes the
/// authority's Ed25519 key, <c>sign</c> builds a document from node descriptors and signs it, <c>verify</c> checks a
/// signed file against the authority's public key and summarizes it (exit 1 with the reason when it is invalid).
/// </summary>
internal static class TopologyCommand
{
    public const string AuthorityKeyFile = "authority.key";
    public const string AuthorityPublicFile = "authority.pub";

    public static Command Create()
    {
        var command = new Command("topology", "Create the authority key, sign a network document from node descriptors, verify one.");
        command.Subcommands.Add(CreateKeygen());
        command.Subcommands.Add(CreateSign());
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    public static int Keygen(string directory, TextWriter output, TextWriter error)
    {
        try
        {
            string full = Path.GetFullPath(directory);
            string keyPath = Path.Combine(full, AuthorityKeyFile);
            if (File.Exists(keyPath))
            {
                error.WriteLine($"{keyPath} already exists; refusing to replace an authority key (every node trusts it)");
                return 1;
            }

            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(full);
            }
            else
            {
                Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            using var key = new Key(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);
            KeyFile.WriteEd25519(keyPath, key);
            byte[] publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            string publicPath = Path.Combine(full, AuthorityPublicFile);
            KeyFile.WritePublic(publicPath, KeyType.Ed25519, publicKey);
            output.WriteLine($"authority key: {keyPath} (0600, keep it offline)");
            output.WriteLine($"public key:    {publicPath}");
            output.WriteLine($"authority:     {Convert.ToBase64String(publicKey)}");
            return 0;
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"topology keygen failed: {e.Message}");
            return 1;
        }
    }

    public static int Sign(TopologySignRequest request, TimeProvider time, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var descriptors = new List<NodeDescriptor>();
            foreach (string path in request.Descriptors)
            {
                try
                {
                    descriptors.Add(NodeDescriptor.Parse(File.ReadAllText(path)));
                }
                catch (FormatException e)
                {
                    error.WriteLine($"{path}: {e.Message}");
                    return 1;
                }
            }

            var clock = new EpochClock(time, request.EpochPeriod);
            var mixing = new MixingParameters(request.MeanDelayMs, request.LoopRatePerSecond, request.Strategy, request.Pool);
            NetworkDocument document = NetworkDocument.Create(descriptors, request.Geometry, mixing, request.EpochPeriod, clock.Current);
            byte[] signed;
            Bytes32 authority;
            using (Key key = KeyFile.ReadEd25519(request.AuthorityKeyPath))
            {
                signed = SignedNetworkDocument.Sign(document, key);
                authority = Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
            }

            // What nodes will check, checked here too: a document this command writes always verifies.
            SignedNetworkDocument.Verify(signed, authority);
            KeyFile.WriteAtomically(request.OutputPath, signed, KeyFile.PublicMode);
            output.WriteLine($"signed {Path.GetFullPath(request.OutputPath)}");
            WriteSummary(new NetworkTopology(document, authority), clock, output);
            return 0;
        }
        catch (TopologyException e)
        {
            error.WriteLine($"cannot build the network document: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"topology sign failed: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// <c>verify FILE --authorities authorities.json</c>: the check a node following the voting authorities makes
    /// (<see cref="SignedNetworkDocument.VerifyWithSigners"/> against the <see cref="AuthoritySet"/> of that file), with a
    /// report of who signed. Exit 2 when the authorities file is unusable, 1 when the document does not verify.
    /// </summary>
    public static int VerifyConsensus(string path, string authoritiesFile, TimeProvider time, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        AuthoritySet authorities;
        try
        {
            authorities = AuthoritySet.Read(authoritiesFile);
        }
        catch (TopologyException e)
        {
            error.WriteLine($"--authorities {authoritiesFile}: {e.Message}");
            return 2;
        }

        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"invalid: cannot read the network document {path}: {e.Message}");
            return 1;
        }

        try
        {
            (NetworkDocument document, IReadOnlyList<Bytes32> signers) = SignedNetworkDocument.VerifyWithSigners(file, authorities);
            output.WriteLine($"valid: {Path.GetFullPath(path)} is the consensus for epoch {document.Epoch}, signed by {signers.Count} of {authorities.Authorities.Length} listed authorities (threshold {authorities.Threshold}): {string.Join(", ", authorities.Authorities.Where(a => signers.Contains(a.PublicKey)).Select(a => a.Name))}");
            WriteUnknownSigners(ConsensusSigners.Unlisted(file, authorities), output, "note");
            WriteSummary(new NetworkTopology(document, signers[0]), new EpochClock(time, document.EpochPeriod), output);
            return 0;
        }
        catch (TopologyException e)
        {
            error.WriteLine($"invalid: {e.Message} ({e.Reason.ToTag()})");
            if (e.Reason is PkiRefusal.BelowThreshold or PkiRefusal.BadSignature)
            {
                IReadOnlyList<AuthorityInfo> valid = ConsensusSigners.ListedWithValidSignature(file, authorities);
                error.WriteLine($"threshold: {valid.Count} valid signature{(valid.Count == 1 ? "" : "s")} of listed authorities, {authorities.Threshold} of {authorities.Authorities.Length} needed");
                error.WriteLine($"signed validly by: {(valid.Count == 0 ? "none" : string.Join(", ", valid.Select(a => a.Name)))}");
                string[] missing = [.. authorities.Authorities.Except(valid).Select(a => a.Name)];
                error.WriteLine($"no valid signature from: {(missing.Length == 0 ? "none" : string.Join(", ", missing))}");
                WriteUnknownSigners(ConsensusSigners.Unlisted(file, authorities), error, "unknown signer");
            }

            return 1;
        }
    }

    private static void WriteUnknownSigners(IReadOnlyList<string> unlisted, TextWriter writer, string label)
    {
        foreach (string key in unlisted)
        {
            writer.WriteLine($"{label}: a signature by {key}, which is not in the authorities file (not counted)");
        }
    }

    public static int Verify(string path, string authority, TimeProvider time, TextWriter output, TextWriter error)
    {
        Bytes32 authorityKey;
        try
        {
            authorityKey = ReadAuthority(authority);
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"--authority-pub: {e.Message}");
            return 2;
        }

        try
        {
            NetworkDocument document = SignedNetworkDocument.ReadAndVerify(path, authorityKey);
            output.WriteLine($"valid: {Path.GetFullPath(path)} is signed by the expected authority");
            WriteSummary(new NetworkTopology(document, authorityKey), new EpochClock(time, document.EpochPeriod), output);
            return 0;
        }
        catch (TopologyException e)
        {
            error.WriteLine($"invalid: {e.Message}");
            return 1;
        }
    }

    public static void WriteSummary(NetworkTopology topology, EpochClock clock, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(output);
        long current = clock.Current;
        output.WriteLine(topology.Geometry.ToString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mixing: {topology.Mixing.Strategy.ToName()}{PoolSummary(topology.Mixing.Pool)}, mean delay {topology.Mixing.MeanDelayMs} ms per hop (cap {topology.Mixing.MaxDelayMs} ms), loop rate {topology.Mixing.LoopRatePerSecond}/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epochs: period {topology.EpochPeriod.TotalSeconds} s, covered {topology.EpochsCovered.First}..{topology.EpochsCovered.Last} (current epoch {current})"));
        if (!topology.EpochsCovered.Contains(current))
        {
            output.WriteLine(topology.EpochsCovered.Last < current
                ? "warning: every covered epoch is in the past; nodes need new mix keys and a new document"
                : "warning: the covered epochs have not started yet");
        }

        output.WriteLine($"providers: {topology.Providers.Length} ({string.Join(", ", topology.Providers.Select(p => p.Name))})");
        for (int layer = 0; layer < topology.Layers.Length; layer++)
        {
            output.WriteLine($"layer {layer}: {topology.Layers[layer].Length} mix{(topology.Layers[layer].Length == 1 ? "" : "es")} ({string.Join(", ", topology.Layers[layer].Select(m => m.Name))})");
        }

        output.WriteLine($"nodes: {topology.NodeCount}");
    }

    /// <summary>An authority public key given as a key file, or directly as base64.</summary>
    public static Bytes32 ReadAuthority(string value)
    {
        if (File.Exists(value))
        {
            return Bytes32.From(KeyFile.ReadPublic(value, KeyType.Ed25519));
        }

        try
        {
            return NodeDescriptor.DecodeKey(value, "authority", "--authority-pub");
        }
        catch (FormatException)
        {
            throw new KeyFileException($"{value} is neither an existing authority.pub file nor a base64 Ed25519 public key");
        }
    }

    private static Command CreateKeygen()
    {
        var outDir = new Option<string>("--out") { Description = "Directory for authority.key (0600) and authority.pub.", Required = true };
        var command = new Command("keygen", "Create the topology authority's Ed25519 key.") { outDir };
        command.SetAction(parse => Keygen(parse.GetValue(outDir)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command CreateSign()
    {
        var authorityKey = new Option<string>("--authority-key") { Description = "The authority's private key file (authority.key).", Required = true };
        var outFile = new Option<string>("--out") { Description = "The signed document to write.", Required = true };
        var meanDelay = new Option<double>("--mean-delay-ms")
        {
            Description = "Mean per-hop Poisson delay (1/μ) in milliseconds.",
            DefaultValueFactory = _ => MixingParameters.DefaultMeanDelayMs,
        };
        var loopRate = new Option<double>("--loop-rate-per-sec")
        {
            Description = "λ: loop cover packets each node sends per second.",
            DefaultValueFactory = _ => MixingParameters.DefaultLoopRatePerSecond,
        };
        var period = new Option<int>("--epoch-period-seconds")
        {
            Description = "Epoch length; must be the one the nodes' keys were made for.",
            DefaultValueFactory = _ => (int)EpochClock.DefaultPeriod.TotalSeconds,
        };
        var geometry = new Option<string>("--geometry")
        {
            Description = "default (5 hops, 3082-byte packets) or vectors (5 hops, 611-byte packets, Katzenpost's test vectors).",
            DefaultValueFactory = _ => "default",
        };
        geometry.AcceptOnlyFromAmong("default", "vectors");
        var descriptors = new Argument<string[]>("DESCRIPTOR") { Description = "descriptor.json files written by `mixnode keygen`.", Arity = ArgumentArity.OneOrMore };
        var mixingArguments = new MixingArguments();
        var command = new Command("sign", "Build a network document from node descriptors and sign it.") { authorityKey, outFile, meanDelay, loopRate, period, geometry, descriptors };
        foreach (Option option in mixingArguments.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            int seconds = parse.GetValue(period);
            if (seconds < 1 || seconds > 7 * 24 * 3600)
            {
                error.WriteLine($"--epoch-period-seconds must be between 1 and 604800, got {seconds}");
                return 2;
            }

            double delay = parse.GetValue(meanDelay);
            double loop = parse.GetValue(loopRate);
            if (!(delay > 0 && delay <= 3_600_000) || !(loop >= 0 && loop <= 1e6))
            {
                error.WriteLine("--mean-delay-ms must be in (0, 3600000] and --loop-rate-per-sec in [0, 1e6]");
                return 2;
            }

            (MixingStrategy strategy, PoolParameters? pool, string? mixingError) = mixingArguments.Resolve(parse);
            if (mixingError is not null)
            {
                error.WriteLine(mixingError);
                return 2;
            }

            var request = new TopologySignRequest(
                parse.GetValue(authorityKey)!,
                parse.GetValue(outFile)!,
                parse.GetValue(descriptors)!,
                parse.GetValue(geometry) == "vectors" ? SphinxGeometry.KatzenpostVectors : SphinxGeometry.Default,
                delay,
                loop,
                TimeSpan.FromSeconds(seconds),
                strategy,
                pool);
            return Sign(request, TimeProvider.System, parse.InvocationConfiguration.Output, error);
        });
        return command;
    }

    private static Command CreateVerify()
    {
        var file = new Argument<string>("FILE") { Description = "A signed network document." };
        var authority = new Option<string>("--authority-pub") { Description = "The offline authority's public key: an authority.pub file or the base64 key (a document of mixnode topology sign)." };
        var authorities = new Option<string>("--authorities") { Description = "authorities.json of the voting directory authorities: the document must carry valid signatures of the threshold of them (a consensus)." };
        var command = new Command("verify", "Verify a signed network document (--authority-pub) or a consensus (--authorities) and summarize it; exit 1 with the reason if it is invalid.") { file, authority, authorities };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(authority) is null) == (result.GetValue(authorities) is null))
            {
                result.AddError("give exactly one of --authority-pub (an offline-signed document) and --authorities (a consensus of the voting authorities)");
            }
        });
        command.SetAction(parse => parse.GetValue(authorities) is { } authoritiesFile
            ? VerifyConsensus(
                parse.GetValue(file)!,
                authoritiesFile,
                TimeProvider.System,
                parse.InvocationConfiguration.Output,
                parse.InvocationConfiguration.Error)
            : Verify(
                parse.GetValue(file)!,
                parse.GetValue(authority)!,
                TimeProvider.System,
                parse.InvocationConfiguration.Output,
                parse.InvocationConfiguration.Error));
        return command;
    }

    private static string PoolSummary(PoolParameters? pool) => pool is null ? ""
        : string.Create(CultureInfo.InvariantCulture, $" (interval {pool.Interval.TotalMilliseconds} ms, threshold {pool.Threshold}, min-pool {pool.MinPool}, fraction {pool.Fraction})");
}
