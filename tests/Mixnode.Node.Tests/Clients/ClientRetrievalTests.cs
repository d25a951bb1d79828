using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Node.Clients;
using Mixnode.Node.Delivery;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Unwrap;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Clients;

/// <summary>
/// Retrieval over a real client link (loopback sockets): acknowledge-then-delete, so a link that drops before the
/// client read its answer loses nothing, and the bound on what one link may keep unanswered.
/// </summary>
public sealed class ClientRetrievalTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private static readonly WireFraming s_framing = ClientLinkProtocol.Framing(SphinxGeometry.Default);
    private readonly FakeTimeProvider _time = new();
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly MailboxDeliverySink _sink;
    private readonly X25519PrivateKey _clientKey = X25519PrivateKey.Generate();
    private readonly X25519PrivateKey _providerKey = X25519PrivateKey.Generate();

    public ClientRetrievalTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _sink = new MailboxDeliverySink(Options.Create(new NodeOptions()), _metrics, _time);
    }

    private Bytes32 ClientId => Bytes32.From(_clientKey.PublicKey);

    public void Dispose()
    {
        _sink.Dispose();
        _clientKey.Dispose();
        _providerKey.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task A_message_handed_out_on_a_link_that_drops_before_the_ack_goes_to_the_next_link_and_an_acked_one_is_gone()
    {
        // Before: the message left the mailbox when it was handed out, and the dropped link took it along.
        byte[] m1 = Payload(1);
        byte[] m2 = Payload(2);
        Assert.True(_sink.Deliver(new DeliveredMessage(ClientId, isSurbReply: false, default, m1)));
        Assert.True(_sink.Deliver(new DeliveredMessage(ClientId, isSurbReply: false, default, m2)));

        await using (Link first = await ConnectAsync())
        {
            await first.RetrieveAsync(0);
            WireAnswer answer = await first.NextAsync();
            Assert.Equal(m1, answer.Payload);
            Assert.Equal(1, answer.Hint);

            // The client read m1 but the link drops before it says so.
        }

        await using (Link second = await ConnectAsync())
        {
            await second.RetrieveAsync(0);
            Assert.Equal(m1, (await second.NextAsync()).Payload);

            // Sequence 1: "I have read one answer" — m1 is deleted, m2 handed out.
            await second.RetrieveAsync(1);
            Assert.Equal(m2, (await second.NextAsync()).Payload);
            await second.RetrieveAsync(2);
            Assert.True(await Eventually.TrueAsync(() => _sink.StoredBytes == 0, s_wait));
        }

        Assert.True(await Eventually.TrueAsync(() => _sink.MailboxCount == 0 && _sink.ParkedCount == 0, s_wait));
    }

    [Fact]
    public async Task A_client_that_keeps_more_retrievals_unanswered_than_allowed_is_cut_off()
    {
        await using Link link = await ConnectAsync(maxRetrievalsPerSession: 4);
        for (uint i = 0; i < 4; i++)
        {
            await link.RetrieveAsync(0);
        }

        Assert.True(await Eventually.TrueAsync(() => _sink.ParkedCount == 4, s_wait));
        Assert.Null(link.Provider.CloseReason);

        await link.RetrieveAsync(0);
        Assert.Equal(LinkCloseReason.RetrievalLimit, await link.ProviderLoop.WaitAsync(s_wait));
        Assert.True(await Eventually.TrueAsync(() => _sink.MailboxCount == 0 && _sink.ParkedCount == 0, s_wait));
    }

    private static byte[] Payload(byte b)
    {
        byte[] payload = new byte[s_framing.MessagePayloadLength];
        payload.AsSpan().Fill(b);
        return payload;
    }

    private async Task<Link> ConnectAsync(int maxRetrievalsPerSession = 64)
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync(s_wait);
        var settings = new LinkSessionSettings(s_framing, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval)
        {
            Prologue = ClientLinkProtocol.Prologue(s_framing),
        };
        var clientSession = new LinkSession(new SocketPipeConnection(client, 1 << 20), settings, _time, initiator: true);
        var providerSession = new LinkSession(new SocketPipeConnection(server, 1 << 20), settings, _time, initiator: false);
        clientSession.Start();
        providerSession.Start();
        bool[] ok = await Task.WhenAll(
            clientSession.HandshakeAsync(_clientKey, _ => true),
            providerSession.HandshakeAsync(_providerKey, _ => true)).WaitAsync(s_wait);
        Assert.True(ok[0] && ok[1]);
        var handler = new ClientCommandHandler(new IngressQueue(16, _metrics), _sink, new ClientOptions(), s_framing, _metrics, _time, maxRetrievalsPerSession);
        var answers = new AnswerRecorder();
        return new Link(clientSession, providerSession, answers, clientSession.RunReceiveLoopAsync(answers), providerSession.RunReceiveLoopAsync(handler));
    }

    private sealed record WireAnswer(WireMessageKind Kind, uint Sequence, int Hint, byte[] Payload);

    private sealed class AnswerRecorder : ILinkCommandHandler
    {
        public Channel<WireAnswer> Answers { get; } = Channel.CreateUnbounded<WireAnswer>();

        public bool Handle(LinkSession session, in WireCommand command) =>
            command.Id == WireCommandId.Message
            && Answers.Writer.TryWrite(new WireAnswer(command.MessageKind, command.Sequence, command.QueueSizeHint, command.Payload.ToArray()));
    }

    private sealed class Link(LinkSession client, LinkSession provider, AnswerRecorder answers, Task<LinkCloseReason> clientLoop, Task<LinkCloseReason> providerLoop) : IAsyncDisposable
    {
        public LinkSession Provider => provider;

        public Task<LinkCloseReason> ProviderLoop => providerLoop;

        public async Task RetrieveAsync(uint sequence) =>
            _ = await client.SendAsync(frame => WireCodec.TryEncode(WireCommand.RetrieveMessage(sequence), frame, s_framing) == WireEncodeResult.Ok).AsTask().WaitAsync(s_wait);

        public async Task<WireAnswer> NextAsync() => await answers.Answers.Reader.ReadAsync().AsTask().WaitAsync(s_wait);

        public async ValueTask DisposeAsync()
        {
            client.Close(LinkCloseReason.Closed);
            await Task.WhenAll(clientLoop, providerLoop).WaitAsync(s_wait);
            await client.DisposeAsync().AsTask().WaitAsync(s_wait);
            await provider.DisposeAsync().AsTask().WaitAsync(s_wait);
        }
    }
}
