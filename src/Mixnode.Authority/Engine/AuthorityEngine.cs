using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Telemetry;
using Mixnode.Authority.Transport;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Engine;

/// <summary>
/// One authority's state machine: descriptor intake, then for each epoch's document vote → reveal → sign → publish,
/// each step taken as soon as every peer's message is in, at the step's deadline in the <see cref="EpochSchedule"/>
/// otherwise, and never sooner than <see cref="AuthoritySettings.PhaseTimeout"/> after the previous step when the
/// round started late. Genesis is the same round for the current epoch, whose scheduled deadlines are all past: it
/// votes <see cref="AuthoritySettings.BootstrapWait"/> after start (or as soon as every listed node uploaded) and
/// finishes within a few phase timeouts, whatever the epoch length. Time comes from the injected
/// <see cref="TimeProvider"/> (a periodic timer calls <see cref="Step"/>), peers from an <see cref="IPeerTransport"/>;
/// the protocol itself is in the pure classes of <c>Protocol/</c>. Thread-safe: one lock, never held while sending.
/// </summary>
internal sealed class AuthorityEngine : IDisposable
{
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(1);

    private readonly AuthoritySettings _settings;
    private readonly TimeProvider _time;
    private readonly EpochClock _clock;
    private readonly EpochSchedule _schedule;
    private readonly IPeerTransport _transport;
    private readonly AuthorityMetrics _metrics;
    private readonly ILogger _logger;
    private readonly StateStore _store;
    private readonly DescriptorCache _cache = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<long, EpochRound> _rounds = [];
    private readonly SortedDictionary<long, byte[]> _published = [];
    private readonly List<OutboxItem> _outbox = [];
    private readonly Dictionary<long, DateTimeOffset> _nextFetch = [];
    private readonly HashSet<long> _fetching = [];
    private readonly CancellationTokenSource _stopping = new();
    private DateTimeOffset _startedAt;
    private ITimer? _timer;
    private int _stepping;
    private int _again;
    private int _disposed;
    private int _started;
    private long _prunedFor = long.MinValue;

    public AuthorityEngine(AuthoritySettings settings, TimeProvider time, IPeerTransport transport, AuthorityMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        _time = time;
        _clock = new EpochClock(time, settings.Parameters.EpochPeriod);
        _schedule = new EpochSchedule(_clock);
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _store = new StateStore(settings.StateDirectory);
    }

    public AuthoritySettings Settings => _settings;

    public EpochClock Clock => _clock;

    /// <summary>How often <see cref="Step"/> runs: often enough for second-long test epochs, cheap otherwise.</summary>
    public TimeSpan StepPeriod => TimeSpan.FromTicks(Math.Clamp(_clock.Period.Ticks / 40, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromMilliseconds(250).Ticks));

    /// <summary>Loads saved documents, then steps on a timer.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _startedAt = _time.GetUtcNow();
            foreach ((long epoch, byte[] file) in _store.LoadDocuments(3))
            {
                try
                {
                    NetworkDocument document = SignedNetworkDocument.Verify(file, _settings.Authorities);
                    if (document.Epoch == epoch)
                    {
                        _published[epoch] = file;
                        _metrics.Published(epoch, "stored");
                    }
                }
                catch (TopologyException e)
                {
                    _metrics.Refused(e.Reason, "document");
                }
            }
        }

        Volatile.Write(ref _started, 1);
        AuthorityLog.Started(_logger, _settings.Self.Name, _clock.Current, _settings.Authorities.Authorities.Length, _settings.Nodes.Count, _settings.Parameters.Layers, _settings.Parameters.Mixing.Strategy.ToName());
        AuthorityLog.Settings(_logger, _settings.Authorities.ToString(), _clock.Period.TotalSeconds, _settings.Parameters.ToString());
        _timer = _time.CreateTimer(_ => Step(), null, TimeSpan.Zero, StepPeriod);
    }

    /// <summary>The published document of <paramref name="epoch"/>, or null.</summary>
    public byte[]? Consensus(long epoch)
    {
        lock (_gate)
        {
            return _published.GetValueOrDefault(epoch);
        }
    }

    /// <summary>The newest published document, or null.</summary>
    public byte[]? LatestConsensus()
    {
        lock (_gate)
        {
            return _published.Count == 0 ? null : _published.Last().Value;
        }
    }

    /// <summary>Whether a document for the current epoch is held (readiness).</summary>
    public bool HasCurrentConsensus
    {
        get
        {
            lock (_gate)
            {
                return _published.ContainsKey(_clock.Current) || _published.ContainsKey(_clock.Current - 1);
            }
        }
    }

    public RoundPhase? PhaseOf(long epoch)
    {
        lock (_gate)
        {
            return _rounds.TryGetValue(epoch, out EpochRound? round) ? round.Phase : null;
        }
    }

    /// <summary>A node's upload (<c>POST /v1/descriptor</c>). Returns null when accepted, else the refusal.</summary>
    public Refusal? SubmitDescriptor(ReadOnlyMemory<byte> raw)
    {
        Refusal? refusal = AcceptDescriptor(raw);
        if (refusal is { } r)
        {
            _metrics.Refused(r.Reason, "descriptor");
            AuthorityLog.Refused(_logger, "descriptor", r.Reason.ToTag());
        }
        else
        {
            _metrics.Accepted("descriptor");
            Step();
        }

        return refusal;
    }

    /// <summary>Counts a body refused for its size before it was parsed.</summary>
    public void CountOversized(string kind) => _metrics.Refused(PkiRefusal.Oversized, kind);

    /// <summary>A peer's vote, reveal or certificate. Returns null when accepted, else the refusal.</summary>
    public Refusal? Receive(PeerMessageKind kind, ReadOnlyMemory<byte> raw)
    {
        Refusal? refusal;
        lock (_gate)
        {
            refusal = kind switch
            {
                PeerMessageKind.Vote => ReceiveVote(raw, direct: true),
                PeerMessageKind.Reveal => ReceiveReveal(raw),
                _ => ReceiveCertificate(raw),
            };
        }

        if (refusal is { } r)
        {
            _metrics.Refused(r.Reason, kind.ToTag());
            AuthorityLog.Refused(_logger, kind.ToTag(), r.Reason.ToTag());
        }
        else
        {
            _metrics.Accepted(kind.ToTag());
        }

        Step();
        return refusal;
    }

    /// <summary>Moves every round on as far as the time and the messages held allow, then sends and fetches. Reentrant calls are skipped.</summary>
    public void Step()
    {
        // Before Start nothing moves: messages that arrive early are kept, and the bootstrap wait counts from Start.
        if (Volatile.Read(ref _started) == 0 || Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        // One step at a time; a call that finds one running asks it to go round once more instead of waiting for
        // the next tick, so a message that completes a phase moves the round on at once.
        Volatile.Write(ref _again, 1);
        while (Volatile.Read(ref _again) == 1 && Interlocked.Exchange(ref _stepping, 1) == 0)
        {
            Volatile.Write(ref _again, 0);
            StepOnce();
            Volatile.Write(ref _stepping, 0);
        }
    }

    private void StepOnce()
    {
        try
        {
            var sends = new List<OutboxItem>();
            var fetches = new List<long>();
            lock (_gate)
            {
                DateTimeOffset now = _time.GetUtcNow();
                long current = _clock.Current;
                foreach (long epoch in new[] { current, current + 1 })
                {
                    if (!_published.ContainsKey(epoch))
                    {
                        Advance(RoundFor(epoch), now);
                    }
                }

                Prune(current);
                foreach (OutboxItem item in _outbox)
                {
                    if (!item.InFlight && item.NextAttempt <= now)
                    {
                        item.InFlight = true;
                        sends.Add(item);
                    }
                }

                foreach (long epoch in new[] { current, current + 1 })
                {
                    bool due = epoch == current || now >= _schedule.PublishDeadline(epoch - 1);
                    if (due && !_published.ContainsKey(epoch) && !_fetching.Contains(epoch) && (!_nextFetch.TryGetValue(epoch, out DateTimeOffset next) || next <= now))
                    {
                        _fetching.Add(epoch);
                        _nextFetch[epoch] = now + s_retry;
                        fetches.Add(epoch);
                    }
                }
            }

            foreach (OutboxItem item in sends)
            {
                _ = SendAsync(item);
            }

            foreach (long epoch in fetches)
            {
                _ = FetchAsync(epoch);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            AuthorityLog.StepFailed(_logger, e);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _timer?.Dispose();
        // Not disposed: sends still in flight read its token; cancelling is what matters.
        _stopping.Cancel();
    }

    private Refusal? AcceptDescriptor(ReadOnlyMemory<byte> raw)
    {
        SignedDescriptor upload;
        try
        {
            upload = SignedDescriptor.Open(raw);
        }
        catch (SignedEnvelopeException e)
        {
            return new Refusal(e.Reason, e.Message);
        }

        NodeDescriptor descriptor = upload.Descriptor;
        ListedNode? listed = _settings.Nodes.Find(descriptor.IdentityKey);
        if (listed is null)
        {
            return new Refusal(PkiRefusal.UnknownSigner, "the descriptor is signed by a key that is not a listed node");
        }

        if (listed.Role != descriptor.Role || !string.Equals(listed.Name, descriptor.Name, StringComparison.Ordinal))
        {
            return new Refusal(PkiRefusal.Invalid, "the descriptor's name or role differs from the authority's list of nodes");
        }

        foreach (string address in descriptor.Addresses)
        {
            if (_settings.Policy.Check(address) is { } why)
            {
                return new Refusal(PkiRefusal.AddressPolicy, why);
            }
        }

        if (!descriptor.MixKeys.ContainsKey(upload.Epoch) || !descriptor.MixKeys.ContainsKey(upload.Epoch + 1))
        {
            return new Refusal(PkiRefusal.Invalid, $"the descriptor has no mix keys for epochs {upload.Epoch} and {upload.Epoch + 1}, which a document for {upload.Epoch} covers");
        }

        lock (_gate)
        {
            long current = _clock.Current;
            if (upload.Epoch != current && upload.Epoch != current + 1)
            {
                return new Refusal(PkiRefusal.WrongEpoch, $"uploads are accepted for epochs {current} and {current + 1}, not {upload.Epoch}");
            }

            if (_published.ContainsKey(upload.Epoch))
            {
                return new Refusal(PkiRefusal.Late, $"the document for epoch {upload.Epoch} is already published; upload for epoch {current + 1}");
            }

            EpochRound round = RoundFor(upload.Epoch);
            if (round.OwnVote is not null)
            {
                return new Refusal(PkiRefusal.Late, $"the vote for epoch {upload.Epoch} is already sent; the node can be in the next epoch's document");
            }

            foreach (SignedDescriptor other in round.Uploads.Values)
            {
                if (other.Descriptor.IdentityKey != descriptor.IdentityKey && (other.Descriptor.LinkKey == descriptor.LinkKey || other.Descriptor.Name == descriptor.Name))
                {
                    return new Refusal(PkiRefusal.Duplicate, "another node uploaded the same link key or name for this epoch");
                }
            }

            round.Uploads[descriptor.IdentityKey] = upload;
            return null;
        }
    }

    private Refusal? ReceiveVote(ReadOnlyMemory<byte> raw, bool direct)
    {
        Vote vote;
        try
        {
            vote = Vote.Open(raw, _settings.Authorities, _cache);
        }
        catch (SignedEnvelopeException e)
        {
            return new Refusal(e.Reason, e.Message);
        }

        if (Window(vote.Epoch) is { } wrong)
        {
            return wrong;
        }

        EpochRound round = RoundFor(vote.Epoch);
        if (vote.Authority == _settings.PublicKey)
        {
            return null;
        }

        if (round.Equivocators.Contains(vote.Authority))
        {
            return new Refusal(PkiRefusal.Equivocation, "this authority signed two different votes for the epoch");
        }

        if (round.Votes.TryGetValue(vote.Authority, out Vote? held))
        {
            if (held.SameAs(vote))
            {
                // A retransmission or a copy inside a reveal: nothing new, however old.
                return null;
            }

            round.Votes.Remove(vote.Authority);
            round.Equivocators.Add(vote.Authority);

            // Both votes go into this authority's reveal: whoever saw only one of them learns of the other.
            round.Evidence.Add(held.Envelope.Raw);
            round.Evidence.Add(vote.Envelope.Raw);

            // And at once to every peer, in case the reveal is already out: a vote is self-authenticating, so any
            // authority may pass one on, and a peer holding the other one detects the equivocation itself.
            Broadcast(PeerMessageKind.Vote, vote.Epoch, held.Envelope.Raw);
            Broadcast(PeerMessageKind.Vote, vote.Epoch, vote.Envelope.Raw);
            round.Version++;
            AuthorityLog.Equivocation(_logger, vote.Epoch, _settings.Authorities.Find(vote.Authority)?.Name ?? "?");
            return new Refusal(PkiRefusal.Equivocation, "a different vote of this authority for the epoch is already held; both are dropped");
        }

        // Only a vote received from its author is held to the clock: one passed on inside a reveal was made earlier.
        DateTimeOffset now = _time.GetUtcNow();
        if (direct && (vote.SentAt - now).Duration() > _settings.MaxClockSkew)
        {
            return new Refusal(PkiRefusal.ClockSkew, $"the vote was sent at {vote.SentAt:O} by its sender's clock, {(vote.SentAt - now).TotalSeconds:F1} s from this authority's; at most {_settings.MaxClockSkew.TotalSeconds} s allowed");
        }

        if (round.Phase >= RoundPhase.Signed)
        {
            return new Refusal(PkiRefusal.Late, "the document for the epoch is already computed");
        }

        round.Votes[vote.Authority] = vote;
        round.Version++;
        return null;
    }

    private Refusal? ReceiveReveal(ReadOnlyMemory<byte> raw)
    {
        Reveal reveal;
        try
        {
            reveal = Reveal.Open(raw, _settings.Authorities);
        }
        catch (SignedEnvelopeException e)
        {
            return new Refusal(e.Reason, e.Message);
        }

        if (Window(reveal.Epoch) is { } wrong)
        {
            return wrong;
        }

        EpochRound round = RoundFor(reveal.Epoch);
        foreach (ReadOnlyMemory<byte> vote in reveal.Votes)
        {
            if (ReceiveVote(vote, direct: false) is { } refused)
            {
                _metrics.Refused(refused.Reason, "vote");
            }
        }

        if (reveal.Authority == _settings.PublicKey)
        {
            return null;
        }

        if (round.Votes.TryGetValue(reveal.Authority, out Vote? vote1) && reveal.Commitment != vote1.Commit)
        {
            return new Refusal(PkiRefusal.Invalid, "the reveal does not match the commit of the authority's vote");
        }

        if (round.Reveals.TryGetValue(reveal.Authority, out Reveal? held))
        {
            return held.Value == reveal.Value ? null : new Refusal(PkiRefusal.Duplicate, "a different reveal of this authority is already held");
        }

        round.Reveals[reveal.Authority] = reveal;
        round.Version++;
        return null;
    }

    private Refusal? ReceiveCertificate(ReadOnlyMemory<byte> raw)
    {
        Certificate certificate;
        try
        {
            certificate = Certificate.Open(raw, _settings.Authorities);
        }
        catch (SignedEnvelopeException e)
        {
            return new Refusal(e.Reason, e.Message);
        }

        if (Window(certificate.Epoch) is { } wrong)
        {
            return wrong;
        }

        EpochRound round = RoundFor(certificate.Epoch);
        if (certificate.Authority != _settings.PublicKey)
        {
            round.Certificates[certificate.Authority] = certificate;
            round.Version++;
        }

        return null;
    }

    /// <summary>Messages are taken for the current epoch's document and the next one's only.</summary>
    private Refusal? Window(long epoch)
    {
        long current = _clock.Current;
        if (epoch != current && epoch != current + 1)
        {
            return new Refusal(PkiRefusal.WrongEpoch, $"messages are taken for epochs {current} and {current + 1}, not {epoch}");
        }

        return _published.ContainsKey(epoch) ? new Refusal(PkiRefusal.Late, $"the document for epoch {epoch} is already published") : null;
    }

    private EpochRound RoundFor(long epoch)
    {
        if (!_rounds.TryGetValue(epoch, out EpochRound? round))
        {
            round = new EpochRound(epoch) { PhaseStarted = _time.GetUtcNow() };
            _rounds[epoch] = round;
            if (_store.LoadVote(epoch) is { } saved)
            {
                // A restart: the vote already signed for this epoch is the only one this authority will ever send.
                try
                {
                    Vote vote = Vote.Open(saved.Vote, _settings.Authorities, _cache);
                    if (vote.Authority == _settings.PublicKey && Reveal.Commit(saved.Reveal) == vote.Commit)
                    {
                        round.OwnVote = vote;
                        round.OwnReveal = saved.Reveal;
                        round.Votes[vote.Authority] = vote;
                        round.Phase = RoundPhase.Voted;
                        Broadcast(PeerMessageKind.Vote, epoch, vote.Envelope.Raw);
                    }
                }
                catch (SignedEnvelopeException e)
                {
                    _metrics.Refused(e.Reason, "vote");
                }
            }
        }

        return round;
    }

    private void Advance(EpochRound round, DateTimeOffset now)
    {
        long epoch = round.Epoch;
        int all = _settings.Authorities.Authorities.Length;
        if (round.Phase == RoundPhase.Collecting)
        {
            DateTimeOffset deadline = _schedule.DescriptorDeadline(epoch - 1);
            DateTimeOffset voteAt = Later(deadline, _startedAt + _settings.BootstrapWait);
            bool late = _startedAt + _settings.BootstrapWait > deadline;
            bool everyNode = now >= deadline && round.Uploads.Count == _settings.Nodes.Count;

            // A round that started late (genesis) has no schedule to keep: it waits past the bootstrap wait until
            // its uploads could make a document at all (a provider, a mix per layer), since a vote cannot be taken
            // back and a network whose nodes start slower than its authorities would otherwise get its first
            // document only one epoch later. A round on schedule votes at the deadline with what it has.
            bool viable = !late || Viable(round);
            if ((now >= voteAt && viable) || everyNode)
            {
                Bytes32 reveal = Bytes32.From(RandomNumberGenerator.GetBytes(Bytes32.Size));
                Vote vote = Vote.Create(epoch, _settings.Key, now, Reveal.Commit(reveal), _settings.Parameters, round.Uploads.Values);
                _store.SaveVote(epoch, vote.Envelope.Raw.Span, reveal);
                round.OwnVote = vote;
                round.OwnReveal = reveal;
                round.Votes[_settings.PublicKey] = vote;
                round.Version++;
                Enter(round, RoundPhase.Voted, now);
                Broadcast(PeerMessageKind.Vote, epoch, vote.Envelope.Raw);
                AuthorityLog.Voted(_logger, epoch, vote.Descriptors.Count);
            }
        }

        if (round.Phase == RoundPhase.Voted)
        {
            bool everyVote = round.Votes.Keys.Union(round.Equivocators).Count() >= all;
            if (everyVote || now >= Later(_schedule.RevealDeadline(epoch - 1), round.PhaseStarted + _settings.PhaseTimeout))
            {
                var reveal = Reveal.Create(epoch, _settings.Key, round.OwnReveal, round.Votes.Values.Select(v => v.Envelope.Raw).Concat(round.Evidence));
                round.Reveals[_settings.PublicKey] = reveal;
                round.Version++;
                Enter(round, RoundPhase.Revealed, now);
                Broadcast(PeerMessageKind.Reveal, epoch, reveal.Envelope.Raw);
                AuthorityLog.Revealed(_logger, epoch, round.Votes.Count);
            }
        }

        if (round.Phase == RoundPhase.Revealed)
        {
            bool everyReveal = round.Reveals.Keys.Union(round.Equivocators).Count() >= all;
            bool deadline = now >= Later(_schedule.SignatureDeadline(epoch - 1), round.PhaseStarted + _settings.PhaseTimeout);
            if ((everyReveal || deadline) && round.ComputedAtVersion != round.Version)
            {
                round.ComputedAtVersion = round.Version;
                ConsensusOutcome outcome = ConsensusComputation.Compute(epoch, Usable(round), _settings.Authorities.Threshold);
                if (outcome.Document is not null && outcome.Payload is not null)
                {
                    round.Outcome = outcome;
                    round.PayloadHash = Bytes32.From(SHA256.HashData(outcome.Payload));
                    var certificate = Certificate.Create(epoch, _settings.Key, outcome.Payload);
                    round.Certificates[_settings.PublicKey] = certificate;
                    Enter(round, RoundPhase.Signed, now);
                    Broadcast(PeerMessageKind.Certificate, epoch, certificate.Envelope.Raw);
                    NetworkDocument document = outcome.Document;
                    AuthorityLog.Signed(_logger, epoch, Usable(round).Count, document.Providers.Length, document.Layers.Sum(l => l.Length), document.Layers.Length);
                }
                else if (!round.FailureReported)
                {
                    round.FailureReported = true;
                    _metrics.Failed(outcome.Failure!.Value);
                    AuthorityLog.NoDocument(_logger, epoch, outcome.Failure.Value.ToTag());
                    AuthorityLog.NoDocumentExplained(_logger, epoch, outcome.Explanation);
                }
            }
        }

        if (round.Phase == RoundPhase.Signed)
        {
            byte[] payload = round.Outcome!.Payload!;
            foreach (Certificate certificate in round.Certificates.Values)
            {
                // Each certificate is checked once: a document signature covers the whole payload (a megabyte for 1,000 nodes).
                if (!round.ValidSignatures.ContainsKey(certificate.Authority) && round.CheckedCertificates.Add(certificate)
                    && certificate.PayloadHash == round.PayloadHash && SignedNetworkDocument.VerifyPayload(payload, certificate.Authority, certificate.Signature))
                {
                    round.ValidSignatures[certificate.Authority] = certificate.Signature;
                }
            }

            Dictionary<Bytes32, byte[]> valid = round.ValidSignatures;
            bool deadline = now >= Later(_schedule.PublishDeadline(epoch - 1), round.PhaseStarted + _settings.PhaseTimeout);
            if (valid.Count >= all || (deadline && valid.Count >= _settings.Authorities.Threshold))
            {
                Publish(round, payload, valid);
            }
            else if (deadline && !round.PublishFailureReported)
            {
                round.PublishFailureReported = true;
                AuthorityLog.TooFewSignatures(_logger, epoch, valid.Count);
            }
        }

        if (round.Phase < RoundPhase.Published && now >= _clock.EndOf(epoch))
        {
            AuthorityLog.Abandoned(_logger, epoch, "stuck after phase " + round.Phase.ToString().ToLowerInvariant());
            Enter(round, RoundPhase.Abandoned, now);
        }
    }

    private bool Viable(EpochRound round) =>
        round.Uploads.Values.Any(u => u.Descriptor.Role == NodeRole.Provider)
        && round.Uploads.Values.Count(u => u.Descriptor.Role == NodeRole.Mix) >= _settings.Parameters.Layers;

    /// <summary>Votes that count: revealed with the value they committed to, from authorities that did not equivocate.</summary>
    private static List<RevealedVote> Usable(EpochRound round) =>
        [.. round.Votes.Values
            .Where(v => !round.Equivocators.Contains(v.Authority) && round.Reveals.TryGetValue(v.Authority, out Reveal? r) && r.Commitment == v.Commit)
            .Select(v => new RevealedVote(v, round.Reveals[v.Authority].Value))];

    private void Publish(EpochRound round, byte[] payload, Dictionary<Bytes32, byte[]> signatures)
    {
        byte[] file = SignedNetworkDocument.Assemble(payload, signatures);
        try
        {
            // Never publish what a verifier (this one included) would refuse.
            // A genesis document may be finished after the next epoch's: it is still served for its own epoch (the
            // verifiers' rollback rule is theirs to apply; an authority serves every epoch it holds).
            NetworkDocument document = SignedNetworkDocument.Verify(file, _settings.Authorities);
            if (document.Epoch != round.Epoch)
            {
                throw new TopologyException(PkiRefusal.WrongEpoch, "the assembled document names another epoch");
            }
        }
        catch (TopologyException e)
        {
            _metrics.Refused(e.Reason, "document");
            AuthorityLog.SelfCheckFailed(_logger, round.Epoch, e.Reason.ToTag());
            Enter(round, RoundPhase.Abandoned, _time.GetUtcNow());
            return;
        }

        _store.SaveDocument(round.Epoch, file);
        _published[round.Epoch] = file;
        Enter(round, RoundPhase.Published, _time.GetUtcNow());
        _metrics.Published(round.Epoch, "computed");
        AuthorityLog.Published(_logger, round.Epoch, signatures.Count);
    }

    private async Task FetchAsync(long epoch)
    {
        try
        {
            await FetchFromPeersAsync(epoch).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _fetching.Remove(epoch);
            }
        }
    }

    private async Task FetchFromPeersAsync(long epoch)
    {
        foreach (AuthorityInfo peer in _settings.Peers)
        {
            byte[]? file = await _transport.FetchConsensusAsync(peer, epoch, _stopping.Token).ConfigureAwait(false);
            if (file is null)
            {
                continue;
            }

            try
            {
                NetworkDocument document = SignedNetworkDocument.Verify(file, _settings.Authorities);
                if (document.Epoch != epoch)
                {
                    throw new TopologyException(PkiRefusal.WrongEpoch, "the peer answered with a document for another epoch");
                }
            }
            catch (TopologyException e)
            {
                _metrics.Refused(e.Reason, "document");
                continue;
            }

            lock (_gate)
            {
                if (_published.ContainsKey(epoch))
                {
                    return;
                }

                _store.SaveDocument(epoch, file);
                _published[epoch] = file;
                if (_rounds.TryGetValue(epoch, out EpochRound? round))
                {
                    Enter(round, RoundPhase.Published, _time.GetUtcNow());
                }
            }

            _metrics.Published(epoch, "fetched");
            AuthorityLog.Fetched(_logger, epoch, peer.Name);
            return;
        }
    }

    private async Task SendAsync(OutboxItem item)
    {
        PeerDelivery delivery;
        try
        {
            delivery = await _transport.SendAsync(item.Peer, item.Kind, item.Message, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            delivery = PeerDelivery.Unreachable;
        }

        lock (_gate)
        {
            item.InFlight = false;
            if (delivery == PeerDelivery.Unreachable)
            {
                item.NextAttempt = _time.GetUtcNow() + s_retry;
            }
            else
            {
                _outbox.Remove(item);
            }
        }
    }

    private void Broadcast(PeerMessageKind kind, long epoch, ReadOnlyMemory<byte> message)
    {
        foreach (AuthorityInfo peer in _settings.Peers)
        {
            _outbox.Add(new OutboxItem(peer, kind, epoch, message));
        }
    }

    private void Prune(long current)
    {
        if (_prunedFor == current)
        {
            return;
        }

        _prunedFor = current;
        foreach (long old in _rounds.Keys.Where(e => e < current).ToList())
        {
            _rounds.Remove(old);
        }

        _outbox.RemoveAll(i => i.Epoch < current && !i.InFlight);
        foreach (long old in _published.Keys.Where(e => e < current - 8).ToList())
        {
            _published.Remove(old);
        }

        foreach (long old in _nextFetch.Keys.Where(e => e < current).ToList())
        {
            _nextFetch.Remove(old);
        }

        _cache.DropBefore(current);
        _store.PruneVotesBefore(current - 1);
    }

    private static void Enter(EpochRound round, RoundPhase phase, DateTimeOffset now)
    {
        round.Phase = phase;
        round.PhaseStarted = now;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed class OutboxItem(AuthorityInfo peer, PeerMessageKind kind, long epoch, ReadOnlyMemory<byte> message)
    {
        public AuthorityInfo Peer { get; } = peer;

        public PeerMessageKind Kind { get; } = kind;

        public long Epoch { get; } = epoch;

        public ReadOnlyMemory<byte> Message { get; } = message;

        public bool InFlight { get; set; }

        public DateTimeOffset NextAttempt { get; set; } = DateTimeOffset.MinValue;
    }
}
