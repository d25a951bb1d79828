using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Transport;
using Mixnode.Pki;

namespace Mixnode.Authority.Hosting;

/// <summary>
/// The authority's HTTP API (plain HTTP; everything it carries is signed):
/// <list type="bullet">
/// <item><c>POST /v1/descriptor</c> — a node's signed upload; 202, or 400/403/413 with <c>{"error": tag, "message": …}</c>.</item>
/// <item><c>POST /v1/vote</c>, <c>/v1/reveal</c>, <c>/v1/signature</c> — the other authorities' messages, answered the same way.</item>
/// <item><c>GET /v1/consensus/{epoch}</c>, <c>GET /v1/consensus/latest</c> — the threshold-signed document, or 404.</item>
/// </list>
/// </summary>
internal static class AuthorityApi
{
    /// <summary>A descriptor upload is a few kilobytes; anything much larger is refused before it is parsed.</summary>
    public const int MaxDescriptorBytes = 64 * 1024;

    /// <summary>
    /// Authority messages parsed at once. Each may be megabytes and is read before its signer is known, so a flood
    /// of large bodies is cut to this many in memory; the rest get 503 and a real peer's outbox tries again.
    /// </summary>
    public const int MaxConcurrentPeerMessages = 4;

    public static void Map(IEndpointRouteBuilder routes, AuthorityEngine engine)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(engine);
        routes.MapPost("/" + DirectoryClient.DescriptorPath, async context =>
        {
            byte[]? body = await ReadBodyAsync(context, MaxDescriptorBytes).ConfigureAwait(false);
            if (body is null)
            {
                engine.CountOversized("descriptor");
                await WriteRefusalAsync(context, new Refusal(PkiRefusal.Oversized, $"a descriptor upload is at most {MaxDescriptorBytes} bytes")).ConfigureAwait(false);
                return;
            }

            await AnswerAsync(context, engine.SubmitDescriptor(body)).ConfigureAwait(false);
        });
        var peerMessages = new SemaphoreSlim(MaxConcurrentPeerMessages);
        foreach (PeerMessageKind kind in Enum.GetValues<PeerMessageKind>())
        {
            routes.MapPost("/" + kind.ToPath(), async context =>
            {
                if (!await peerMessages.WaitAsync(TimeSpan.FromSeconds(1), context.RequestAborted).ConfigureAwait(false))
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return;
                }

                try
                {
                    byte[]? body = await ReadBodyAsync(context, SignedEnvelope.MaxLength).ConfigureAwait(false);
                    if (body is null)
                    {
                        engine.CountOversized(kind.ToTag());
                        await WriteRefusalAsync(context, new Refusal(PkiRefusal.Oversized, $"a message is at most {SignedEnvelope.MaxLength} bytes")).ConfigureAwait(false);
                        return;
                    }

                    await AnswerAsync(context, engine.Receive(kind, body)).ConfigureAwait(false);
                }
                finally
                {
                    peerMessages.Release();
                }
            });
        }

        routes.MapGet("/" + DirectoryClient.LatestPath, context => WriteDocumentAsync(context, engine.LatestConsensus()));
        routes.MapGet("/" + DirectoryClient.ConsensusPath + "{epoch}", context =>
        {
            string? text = context.Request.RouteValues["epoch"] as string;
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long epoch)
                ? WriteDocumentAsync(context, engine.Consensus(epoch))
                : WriteRefusalAsync(context, new Refusal(PkiRefusal.Malformed, "the epoch must be an integer or 'latest'"));
        });
    }

    private static async Task WriteDocumentAsync(HttpContext context, byte[]? document)
    {
        if (document is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = DirectoryClient.MediaType;
        context.Response.ContentLength = document.Length;
        await context.Response.Body.WriteAsync(document, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task AnswerAsync(HttpContext context, Refusal? refusal)
    {
        if (refusal is { } r)
        {
            return WriteRefusalAsync(context, r);
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return Task.CompletedTask;
    }

    private static async Task WriteRefusalAsync(HttpContext context, Refusal refusal)
    {
        context.Response.StatusCode = refusal.Reason switch
        {
            PkiRefusal.UnknownSigner => StatusCodes.Status403Forbidden,
            PkiRefusal.Oversized => StatusCodes.Status413PayloadTooLarge,
            _ => StatusCodes.Status400BadRequest,
        };
        context.Response.ContentType = DirectoryClient.MediaType;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", refusal.Reason.ToTag());
            writer.WriteString("message", refusal.Message);
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The body, or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 1L;
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }

        return buffer.ToArray();
    }
}
