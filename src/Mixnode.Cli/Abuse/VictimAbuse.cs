using System.Globalization;
using System.Threading.Channels;
using Mixnode.Cli.Loadgen;
using Mixnode.Client;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>victim</c>: a victim client of the target provider gets K messages (--messages) that it does not retrieve yet;
/// then attackers (fresh keys) push --flood messages to the victim's id at R/s; then the victim connects, retrieves
/// everything and the tool reports how many of its K survived (before issue 12: none, the flood pushed them out).
/// The tool only reports; a script decides what is good enough.
/// </summary>
internal sealed class VictimAbuse : IAbuse
{
    /// <summary>How long the victim keeps reading after the last message before it counts.</summary>
    private static readonly TimeSpan s_quiet = TimeSpan.FromSeconds(3);

    /// <summary>The victim reads for this long at most.</summary>
    private static readonly TimeSpan s_longestRead = TimeSpan.FromSeconds(60);

    private readonly AbuseTarget _target;
    private readonly AbuseOptions _options;
    private readonly TextWriter _output;
    private readonly AbuseLinkPool _attackers;
    private readonly byte[] _runId = Guid.NewGuid().ToByteArray();
    private readonly X25519PrivateKey _victimKey = X25519PrivateKey.Generate();
    private readonly Bytes32 _victimId;
    private AbusePackets? _flood;
    private bool _victimKeyGiven;

    public VictimAbuse(AbuseTarget target, AbuseOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        _target = target;
        _options = options;
        _output = output;
        _victimId = Bytes32.From(_victimKey.PublicKey);
        _attackers = new AbuseLinkPool(target.Provider, target.Topology.Geometry, options.Clients, read: true, target.Sources);
    }

    public long MaxAttempts => _options.Flood;

    /// <summary>How long a message may take through the network: ten mean delays a hop plus slack (as loadgen waits).</summary>
    private TimeSpan Drain => LoadgenRunner.DefaultDrain(_target.Topology.Layers.Length + 2, _target.Topology.Mixing.MeanDelayMs, TimeSpan.Zero);

    public async Task PrepareAsync(long expectedAttempts, CancellationToken cancellationToken)
    {
        NodeDescriptor provider = _target.Provider;
        AbusePackets originals = AbusePackets.Prebuild(_target.Topology, _options.Messages, b => AbuseMessages.ToRecipient(b, provider, provider, _victimId, Payload('o')), _output, cancellationToken);
        _flood = AbusePackets.Prebuild(_target.Topology, Math.Min(expectedAttempts, _options.Flood), b => AbuseMessages.ToRecipient(b, provider, provider, _victimId, Payload('f')), _output, cancellationToken);
        using (X25519PrivateKey senderKey = X25519PrivateKey.Generate())
        {
            AbuseLink sender = await AbuseLink.ConnectAsync(provider, _target.Topology.Geometry, senderKey, read: true, AbuseSources.None.NewSocket(0), cancellationToken).ConfigureAwait(false);
            try
            {
                for (int i = 0; i < _options.Messages; i++)
                {
                    await sender.SendPacketAsync(originals.Take().Packet).ConfigureAwait(false);
                }
            }
            finally
            {
                await sender.LeaveAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sent the victim's {_options.Messages} messages to its mailbox at {provider.Name}; waiting {Drain.TotalSeconds:F1} s for them to arrive"));
        await Task.Delay(Drain, cancellationToken).ConfigureAwait(false);
        await _attackers.ConnectAllAsync(_output, cancellationToken).ConfigureAwait(false);
        _output.WriteLine($"flooding the victim's id with {_options.Flood} messages from {_attackers.Size} attackers");
    }

    public async Task<AbuseOutcome> AttemptAsync(long index, CancellationToken cancellationToken)
    {
        ForwardPacket packet = _flood!.Take();
        AbuseLink link = await _attackers.GetAsync(index, cancellationToken).ConfigureAwait(false);
        await link.SendPacketAsync(packet.Packet).ConfigureAwait(false);
        return AbuseOutcome.Succeeded;
    }

    public async Task<IReadOnlyList<KeyValuePair<string, string>>> FinishAsync(CancellationToken cancellationToken)
    {
        await _attackers.DisposeAsync().ConfigureAwait(false);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"waiting {Drain.TotalSeconds:F1} s for the flood to arrive, then the victim retrieves"));
        await Task.Delay(Drain, cancellationToken).ConfigureAwait(false);
        _victimKeyGiven = true;
        await using MixnodeClient victim = await MixnodeClient.ConnectAsync(_target.Topology, _target.Provider, key: _victimKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        int survived = 0, flood = 0, other = 0;
        long start = Environment.TickCount64;
        while (Environment.TickCount64 - start < s_longestRead.TotalMilliseconds)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(s_quiet);
            ClientDelivery delivery;
            try
            {
                delivery = await victim.Received.ReadAsync(quiet.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ChannelClosedException)
            {
                break;
            }

            switch (Classify(delivery.Payload))
            {
                case 'o':
                    survived++;
                    break;
                case 'f':
                    flood++;
                    break;
                default:
                    other++;
                    break;
            }
        }

        _output.WriteLine($"victim: {survived} of its {_options.Messages} messages survived; it also retrieved {flood} flood messages");
        return
        [
            new("victim_messages", _options.Messages.ToString(CultureInfo.InvariantCulture)),
            new("victim_survived", survived.ToString(CultureInfo.InvariantCulture)),
            new("flood_retrieved", flood.ToString(CultureInfo.InvariantCulture)),
            new("other_retrieved", other.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    public async ValueTask DisposeAsync()
    {
        await _attackers.DisposeAsync().ConfigureAwait(false);
        if (!_victimKeyGiven)
        {
            _victimKey.Dispose();
        }
    }

    /// <summary>"abuse-victim", the run id, then o (the victim's own) or f (flood).</summary>
    private byte[] Payload(char kind) => [.. "abuse-victim"u8, .. _runId, (byte)kind];

    private char Classify(ReadOnlySpan<byte> payload)
    {
        byte[] prefix = [.. "abuse-victim"u8, .. _runId];
        return payload.Length > prefix.Length && payload.StartsWith(prefix) ? (char)payload[prefix.Length] : '?';
    }
}
