using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>
/// A covering client's traffic as Loopix's two independent Poisson streams, so that when and how much it sends says
/// nothing about when it has something to say:
/// <list type="bullet">
/// <item>the payload stream, λP slots per second: each slot sends the oldest real message waiting in the queue, or a
/// drop (<see cref="PacketBuilder.CreateDrop"/>) when none waits. A real message never leaves outside a slot.</item>
/// <item>the loop stream, λL per second: a loop through one mix per layer back into our own mailbox
/// (<see cref="PacketBuilder.CreateLoop"/>), recognised on return by the <see cref="LoopMarker"/>.</item>
/// </list>
/// Gaps are Exp(1)/rate drawn with the CSPRNG (<see cref="DelaySampler.NextExponential"/>); slot times are kept
/// from the start, not from when the last send finished, so a slow send delays slots without thinning the stream;
/// each leaves on the first whole millisecond (from the start) at or after its time, what timers resolve anyway.
/// At equal times the payload slot goes first. Drops and loops are built one ahead, so a slot never waits for Sphinx
/// crypto (nor does a real message, built when it is queued): every kind leaves its slot equally fast. All timing is
/// on the given <see cref="TimeProvider"/>.
/// </summary>
internal sealed class LoopixStreams : IAsyncDisposable
{
    private static readonly TimeSpan s_longestWait = TimeSpan.FromDays(1);
    private static readonly TimeSpan s_longestGap = TimeSpan.FromDays(36_525);

    private readonly PacketBuilder _packets;
    private readonly NodeDescriptor _provider;
    private readonly Bytes32 _ownId;
    private readonly LoopMarker _marker;
    private readonly IPacketSender _sender;
    private readonly CoverTrafficOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<double> _exponential;
    private readonly Queue<ForwardPacket> _queue = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private int _started;
    private int _ended;

    /// <param name="packets">Builds the drops and loops (and should have built the queued messages).</param>
    /// <param name="provider">Our provider: every stream's first hop, and the loops' last.</param>
    /// <param name="ownId">Our recipient id, where loops are delivered.</param>
    /// <param name="marker">Marks the loops' payloads (the same one must look at what arrives).</param>
    /// <param name="sender">The link to <paramref name="provider"/>.</param>
    /// <param name="options">The streams' rates and the queue bound.</param>
    /// <param name="time">Times the gaps.</param>
    /// <param name="counters">Where sends are counted (a fresh set when null).</param>
    /// <param name="exponential">Exp(1) draws for the gaps; the CSPRNG unless a test fixes them.</param>
    public LoopixStreams(
        PacketBuilder packets,
        NodeDescriptor provider,
        Bytes32 ownId,
        LoopMarker marker,
        IPacketSender sender,
        CoverTrafficOptions options,
        TimeProvider time,
        CoverCounters? counters = null,
        Func<double>? exponential = null)
    {
        ArgumentNullException.ThrowIfNull(packets);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(marker);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _packets = packets;
        _provider = provider;
        _ownId = ownId;
        _marker = marker;
        _sender = sender;
        _options = options;
        _time = time;
        _exponential = exponential ?? DelaySampler.NextExponential;
        Counters = counters ?? new CoverCounters();
    }

    public CoverCounters Counters { get; }

    public CoverTrafficOptions Options => _options;

    /// <summary>Real messages waiting for a payload slot.</summary>
    public int QueuedMessages
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>
    /// Ends when the streams stop: disposed, or the link refused a packet (it is gone; messages still queued stay
    /// unsent). Faulted if building a packet failed (a <see cref="ClientException"/>: no keys for the epoch).
    /// </summary>
    public Task Completion => _run;

    /// <summary>
    /// Queues a built packet (<see cref="PacketBuilder.CreateForward(NodeDescriptor, NodeDescriptor, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    /// from our provider) for the next free payload slot. False, and counted in
    /// <see cref="CoverCounters.MessagesRejected"/>, when <see cref="CoverTrafficOptions.MaxQueuedMessages"/> are
    /// already waiting or the streams have ended.
    /// </summary>
    public bool TryEnqueue(ForwardPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet.Packet.Length != _packets.Geometry.PacketLength)
        {
            throw new ArgumentException($"a packet must be {_packets.Geometry.PacketLength} bytes, got {packet.Packet.Length}", nameof(packet));
        }

        lock (_queue)
        {
            if (_queue.Count < _options.MaxQueuedMessages && Volatile.Read(ref _ended) == 0)
            {
                _queue.Enqueue(packet);
                return true;
            }
        }

        Counters.MessageRejected();
        return false;
    }

    /// <summary>Builds the first drop and loop (throws <see cref="ClientException"/> if it cannot) and starts both streams from now.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the streams were started already");
        }

        ForwardPacket drop = _packets.CreateDrop(_provider);
        ForwardPacket? loop = _options.LoopRatePerSecond > 0 ? _packets.CreateLoop(_provider, _ownId.AsReadOnlySpan(), _marker) : null;
        _run = RunAsync(_time.GetTimestamp(), drop, loop, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ClientException)
        {
            // Stopping is what was asked for; a build failure was Completion's to report.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(long start, ForwardPacket drop, ForwardPacket? loop, CancellationToken cancellationToken)
    {
        try
        {
            // Kept in TimeSpan ticks from the start: the sum of the gaps, not "now + gap", so the rates hold exactly.
            long nextPayload = Gap(_options.PayloadRatePerSecond);
            long nextLoop = loop is null ? long.MaxValue : Gap(_options.LoopRatePerSecond);
            while (true)
            {
                // Sent on the first whole millisecond at or after its time: timers count in milliseconds, and a wait
                // of less than one would complete at once and spin here.
                long due = CeilingToMillisecond(Math.Min(nextPayload, nextLoop));
                TimeSpan wait = TimeSpan.FromTicks(due) - _time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    // At most a day at a time: Task.Delay refuses waits beyond 49 days, and a tiny rate can ask for more.
                    double milliseconds = Math.Min(Math.Ceiling(wait.TotalMilliseconds), s_longestWait.TotalMilliseconds);
                    await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (nextPayload <= nextLoop)
                {
                    ForwardPacket? message = Dequeue();
                    if (!await SendAsync(message ?? drop, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    if (message is not null)
                    {
                        Counters.MessageSent();
                    }
                    else
                    {
                        Counters.DropSent();
                        drop = _packets.CreateDrop(_provider);
                    }

                    nextPayload += Gap(_options.PayloadRatePerSecond);
                }
                else
                {
                    if (!await SendAsync(loop!, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    Counters.LoopSent();
                    loop = _packets.CreateLoop(_provider, _ownId.AsReadOnlySpan(), _marker);
                    nextLoop += Gap(_options.LoopRatePerSecond);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _ended, 1);
        }
    }

    private ForwardPacket? Dequeue()
    {
        lock (_queue)
        {
            return _queue.TryDequeue(out ForwardPacket? packet) ? packet : null;
        }
    }

    private async ValueTask<bool> SendAsync(ForwardPacket packet, CancellationToken cancellationToken)
    {
        bool sent;
        try
        {
            sent = await _sender.SendPacketAsync(packet.Packet, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            sent = false;
        }

        if (!sent)
        {
            Counters.SendFailed();
        }

        return sent;
    }

    private static long CeilingToMillisecond(long ticks) =>
        ticks >= long.MaxValue - TimeSpan.TicksPerMillisecond ? ticks : (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond;

    /// <summary>
    /// One exponential gap of the given rate in TimeSpan ticks: at least one, so the streams always move on, and at
    /// most a century, so that the sums of gaps cannot overflow.
    /// </summary>
    private long Gap(double ratePerSecond) =>
        (long)Math.Clamp(Math.Round(_exponential() / ratePerSecond * TimeSpan.TicksPerSecond), 1, s_longestGap.Ticks);
}
