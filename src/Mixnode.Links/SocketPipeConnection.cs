using System.IO.Pipelines;
using System.Net.Sockets;

namespace Mixnode.Links;

/// <summary>
/// A TCP socket as a pair of pipes, after Kestrel's socket transport: one receive loop (socket → <see cref="Input"/>)
/// and one send loop (<see cref="Output"/> → socket). A flush of the input pipe that does not complete at
/// once is the back-pressure: the receive loop stops reading the socket until the session catches up.
/// Knows nothing about Noise or commands; <see cref="LinkSession"/> speaks those over the pipes.
/// </summary>
internal sealed class SocketPipeConnection : IAsyncDisposable
{
    private const int MinimumReceiveBuffer = 4096;

    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sendLoop = Task.CompletedTask;
    private int _aborted;

    public SocketPipeConnection(Socket socket, int pauseThresholdBytes)
    {
        _socket = socket;
        _socket.NoDelay = true;
        // 16 KB segments instead of the default 4 KB: a mix link carries ~3 KB frames back to back, so one
        // receive call (and one wake-up of the session) takes several frames and one send call pushes several.
        // They come from PipeBlockPool, which (unlike the default) keeps enough of them: see there.
        // Inline schedulers: the session's read continues on the thread that received the bytes, and the send
        // loop on the thread that flushed them, instead of each waking a thread-pool thread (on a busy 2-core
        // machine a wake-up costs tens to hundreds of µs per hop). Both continuations are short and never block.
        var options = new PipeOptions(
            pool: PipeBlockPool.Instance,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: pauseThresholdBytes,
            resumeWriterThreshold: pauseThresholdBytes / 2,
            minimumSegmentSize: PipeBlockPool.BlockSize,
            useSynchronizationContext: false);
        _input = new Pipe(options);
        _output = new Pipe(options);
    }

    /// <summary>Bytes from the peer.</summary>
    public PipeReader Input => _input.Reader;

    /// <summary>Bytes to the peer.</summary>
    public PipeWriter Output => _output.Writer;

    /// <summary>Completes when both loops have ended.</summary>
    public Task Completion => Task.WhenAll(_receiveLoop, _sendLoop);

    /// <summary>True when the socket ended with an error other than an ordinary close or reset.</summary>
    public bool Faulted { get; private set; }

    public void Start()
    {
        _receiveLoop = ReceiveLoopAsync();
        _sendLoop = SendLoopAsync();
    }

    /// <summary>Closes the socket at once; both loops end and the pipes complete.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer: nothing to shut down.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Close();

        // Each loop may be waiting on its pipe rather than the socket (the send loop for data, the receive
        // loop for a reader that stopped consuming): wake both so they see the end.
        _output.Reader.CancelPendingRead();
        _input.Writer.CancelPendingFlush();
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        await Completion.ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                Memory<byte> memory = writer.GetMemory(MinimumReceiveBuffer);
                int received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                writer.Advance(received);
                FlushResult flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (SocketException e) when (IsOrdinaryDisconnect(e.SocketErrorCode))
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException e)
        {
            Faulted = true;
            error = e;
        }
        finally
        {
            await writer.CompleteAsync(error).ConfigureAwait(false);
            // The session has seen the end of input; nothing more will be sent either.
            _output.Reader.CancelPendingRead();
        }
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _output.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    // Only Abort or the end of the receive loop cancel: either way the link is over.
                    break;
                }

                System.Buffers.ReadOnlySequence<byte> buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    int sent = 0;
                    while (sent < segment.Length)
                    {
                        sent += await _socket.SendAsync(segment[sent..], SocketFlags.None).ConfigureAwait(false);
                    }
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException e) when (IsOrdinaryDisconnect(e.SocketErrorCode))
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
            Faulted = true;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            Abort();
        }
    }

    private static bool IsOrdinaryDisconnect(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown
            or SocketError.OperationAborted or SocketError.Interrupted or SocketError.NotConnected;
}
