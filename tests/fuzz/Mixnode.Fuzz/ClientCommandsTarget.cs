using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Node;
using Mixnode.Node.Clients;
using Mixnode.Node.Delivery;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Unwrap;
using Mixnode.Sphinx;

namespace Mixnode.Fuzz;

/// <summary>
/// What a client sends its provider, through the provider's own handler (<see cref="ClientCommandHandler"/>: SendPacket,
/// RetrieveMessage with its acknowledging sequence, rate limiting) over a real mailbox store. The link itself is a
/// <see cref="LinkSession"/> that never connects (no transport): every answer the handler writes is numbered as sent,
/// and the harness reads it from the session's plaintext buffer (private; an <see cref="UnsafeAccessorAttribute"/>).
/// Input: a list of steps, each a byte and what it needs:
/// 0 mod 5, a message for this client arrives (bit 3: a SURB reply); 1, the client sends a command: 2-byte length, then
/// that many bytes, padded or cut to the client link's command size and decoded as the link does; 2, the clock moves
/// (next byte × 100 ms); 3, the link drops; 4, a message for another client arrives.
/// Invariants: the decoder refuses with a <see cref="WireDecodeResult"/> and what it decodes encodes into a frame that
/// decodes back equal (<see cref="FramedRoundTrip"/>);
/// the handler accepts exactly SendPacket of a whole packet (queued once, those bytes) and RetrieveMessage (unless the
/// link has too many unanswered, then it closes with retrieval_limit); every answer decodes as the client would read it;
/// and no message is lost or duplicated: once the link ends, what is still in the mailbox plus what the client
/// acknowledged is exactly what arrived, and the client acknowledged only messages it was sent.
/// </summary>
internal sealed class ClientCommandsTarget : IFuzzTarget
{
    public const int Arrive = 0;
    public const int Command = 1;
    public const int Clock = 2;
    public const int Drop = 3;
    public const int ArriveForOther = 4;
    public const int SurbReplyFlag = 8;

    private static readonly WireFraming s_framing = ClientLinkProtocol.Framing(SphinxUnwrapTarget.Geometry);
    private static readonly Bytes32 s_other = Bytes32.From(Enumerable.Repeat((byte)0xee, 32).ToArray());

    public string Name => "client";

    public static WireFraming Framing => s_framing;

    public void Run(ReadOnlySpan<byte> input) => Process(input);

    /// <summary>For the seed check: null when the provider handled a command and sent the client a message.</summary>
    public static string? Check(byte[] seed) => Process(seed) is var (handled, sent) && handled > 0 && sent > 0 ? null : $"{handled} commands handled, {sent} messages sent";

    /// <summary>Commands the handler accepted, and messages it sent the client.</summary>
    private static (int Handled, int Sent) Process(ReadOnlySpan<byte> input)
    {
        using var meters = new FuzzMeterFactory();
        var metrics = new NodeMetrics(meters);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var options = new NodeOptions();
        options.Delivery.MailboxCapacity = 6;
        options.Delivery.MaxParkedRetrievals = 3;

        // Nothing expires within a run (the clock moves at most 25.5 s a step): expiry is not what is checked here.
        options.Delivery.MessageLifetime = TimeSpan.FromDays(3650);
        using var sink = new MailboxDeliverySink(Options.Create(options), metrics, time);
        var ingress = new IngressQueue(64, metrics, clientCapacity: 64);
        var clientOptions = new ClientOptions { RatePerSecond = 5, Burst = 3, CutOffAfter = TimeSpan.FromSeconds(2) };
        var handler = new ClientCommandHandler(ingress, sink, clientOptions, s_framing, metrics, time, maxRetrievalsPerSession: 4);
        var settings = new LinkSessionSettings(s_framing, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10), LinkProtocol.DefaultRekeyInterval);
        LinkSession session = new(new SocketPipeConnection(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), 1 << 16), settings, time, initiator: false);

        // The client's mailbox is its static key; a session that never handshook has the zero key.
        Bytes32 self = session.RemoteStaticKey;
        var arrived = new List<int>();
        var arrivedForOther = new List<int>();
        var sent = new HashSet<int>();
        int handled;
        try
        {
            handled = Drive(input, handler, session, sink, ingress, time, self, arrived, arrivedForOther, sent);
            handler.Closed(session);
        }
        finally
        {
            session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        CheckConservation(sink, self, arrived, sent, "this client");
        CheckConservation(sink, s_other, arrivedForOther, [], "the other client");
        if (sink.StoredBytes != 0 || sink.MailboxCount != 0 || sink.ParkedCount != 0)
        {
            throw new InvariantViolatedException($"emptied mailboxes leave {sink.StoredBytes} bytes, {sink.MailboxCount} mailboxes, {sink.ParkedCount} parked retrievals");
        }

        while (ingress.Reader.TryRead(out IngressPacket packet))
        {
            PacketBuffers.Return(packet.Buffer);
        }

        return (handled, sent.Count);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_sendPlain")]
    private static extern ref byte[] SendPlain(LinkSession session);

    /// <summary>Runs the steps; returns the commands the handler accepted.</summary>
    private static int Drive(ReadOnlySpan<byte> input, ClientCommandHandler handler, LinkSession session, MailboxDeliverySink sink, IngressQueue ingress, FakeTimeProvider time, Bytes32 self, List<int> arrived, List<int> arrivedForOther, HashSet<int> sent)
    {
        int at = 0;
        int next = 0;
        int handled = 0;
        while (at < input.Length && session.CloseReason is null)
        {
            int step = input[at++];
            SendPlain(session).AsSpan().Clear();
            switch (step % 5)
            {
                case Arrive:
                    if (sink.Deliver(Message(self, next, (step & SurbReplyFlag) != 0)))
                    {
                        arrived.Add(next);
                    }

                    next++;
                    break;
                case ArriveForOther:
                    if (sink.Deliver(Message(s_other, next, (step & SurbReplyFlag) != 0)))
                    {
                        arrivedForOther.Add(next);
                    }

                    next++;
                    break;
                case Clock:
                    time.Advance(TimeSpan.FromMilliseconds(100 * (at < input.Length ? input[at++] : 0)));
                    break;
                case Drop:
                    return handled;
                default:
                    int length = at + 2 <= input.Length ? BinaryPrimitives.ReadUInt16BigEndian(input[at..]) : 0;
                    at = Math.Min(input.Length, at + 2);
                    length = Math.Min(length, input.Length - at);
                    byte[] frame = new byte[s_framing.CommandSize];
                    input.Slice(at, Math.Min(length, frame.Length)).CopyTo(frame);
                    at += length;
                    if (!Receive(frame, handler, session, ingress, out bool accepted))
                    {
                        return handled;
                    }

                    handled += accepted ? 1 : 0;
                    break;
            }

            CheckAnswer(SendPlain(session), sent);
        }

        return handled;
    }

    /// <summary>One frame as <c>LinkSession.HandleFrame</c> hands it on; false when the link closes on it. <paramref name="accepted"/>: the handler took it.</summary>
    private static bool Receive(byte[] frame, ClientCommandHandler handler, LinkSession session, IngressQueue ingress, out bool accepted)
    {
        accepted = false;
        if (WireCodec.TryDecode(frame, s_framing, out WireCommand command) != WireDecodeResult.Ok)
        {
            return false;
        }

        FramedRoundTrip.Check(command, s_framing);

        if (command.Id == WireCommandId.NoOp)
        {
            return true;
        }

        if (command.Id == WireCommandId.Disconnect)
        {
            return false;
        }

        int queued = ingress.Reader.Count;
        bool handled = handler.Handle(session, command);
        accepted = handled;
        handler.ReadHandled(session);
        bool wellFormed = command.Id == WireCommandId.RetrieveMessage
            || (command.Id == WireCommandId.SendPacket && command.Payload.Length == s_framing.PacketLength);
        if (handled && !wellFormed)
        {
            throw new InvariantViolatedException($"the provider accepted {command.ToString()} from a client");
        }

        if (!handled && wellFormed && session.CloseReason != LinkCloseReason.RetrievalLimit)
        {
            throw new InvariantViolatedException($"the provider refused {command.ToString()} (link state {session.CloseReason?.ToString() ?? "open"})");
        }

        if (handled && command.Id == WireCommandId.SendPacket)
        {
            CheckQueued(ingress, queued, command.Payload);
        }

        if (handler.ReadPause(session) < TimeSpan.Zero)
        {
            throw new InvariantViolatedException("a negative read pause");
        }

        return handled;
    }

    private static void CheckQueued(IngressQueue ingress, int queuedBefore, ReadOnlySpan<byte> payload)
    {
        // The queue is drained as packets come (the crypto workers' part), so the new packet is the only one in it.
        if (ingress.Reader.Count != queuedBefore + 1 || !ingress.Reader.TryRead(out IngressPacket packet))
        {
            throw new InvariantViolatedException($"an accepted SendPacket left {ingress.Reader.Count} packets queued (before: {queuedBefore})");
        }

        try
        {
            if (packet.Length != payload.Length || !packet.Buffer.AsSpan(0, packet.Length).SequenceEqual(payload))
            {
                throw new InvariantViolatedException("the queued packet is not the one the client sent");
            }
        }
        finally
        {
            PacketBuffers.Return(packet.Buffer);
        }
    }

    /// <summary>The last answer the provider wrote in this step (if any) decodes as the client reads it; messages are noted as sent.</summary>
    private static void CheckAnswer(byte[] plain, HashSet<int> sent)
    {
        if (!plain.AsSpan().ContainsAnyExcept((byte)0))
        {
            return;
        }

        if (WireCodec.TryDecode(plain, s_framing, out WireCommand answer) is var result && result != WireDecodeResult.Ok)
        {
            throw new InvariantViolatedException($"the provider wrote an answer the client cannot read: {result}");
        }

        switch (answer.Id, answer.MessageKind)
        {
            case (WireCommandId.Message, WireMessageKind.Empty):
                break;
            case (WireCommandId.Message, WireMessageKind.Message or WireMessageKind.Ack):
                sent.Add(BinaryPrimitives.ReadInt32BigEndian(answer.Payload));
                break;
            default:
                throw new InvariantViolatedException($"the provider answered a client with {answer.ToString()}");
        }
    }

    private static void CheckConservation(MailboxDeliverySink sink, Bytes32 recipient, List<int> arrived, HashSet<int> sent, string who)
    {
        var left = new List<int>();
        while (sink.TryFetch(recipient, out StoredMessage message, out _))
        {
            left.Add(BinaryPrimitives.ReadInt32BigEndian(message.Payload));
            message.Return();
        }

        var acknowledged = arrived.Except(left).ToList();
        if (left.Count != left.Distinct().Count() || left.Except(arrived).Any() || !acknowledged.All(sent.Contains))
        {
            throw new InvariantViolatedException($"{who}: arrived [{string.Join(',', arrived)}], sent [{string.Join(',', sent)}], left [{string.Join(',', left)}]: a message was lost, duplicated or acknowledged unsent");
        }
    }

    /// <summary>A message whose payload starts with its number (the client framing's lengths, so the provider can send it).</summary>
    public static DeliveredMessage Message(Bytes32 recipient, int number, bool surbReply)
    {
        byte[] payload = new byte[surbReply ? s_framing.AckPayloadLength : s_framing.MessagePayloadLength];
        BinaryPrimitives.WriteInt32BigEndian(payload, number);
        return new DeliveredMessage(recipient, surbReply, default, payload);
    }
}
