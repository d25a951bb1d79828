using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mixnode.Pki;

namespace Mixnode.Node.Topology;

/// <summary>
/// Uploads one signed descriptor to every authority at once, each retried with backoff until it accepts, refuses
/// for good or the deadline passes. An authority that says <c>late</c>, <c>wrong_epoch</c> or <c>duplicate</c> will
/// say it again, so those end the retries for that authority; any other answer (unreachable, a 5xx, a refusal that a
/// restarted authority may not repeat) is retried.
/// </summary>
internal sealed class DescriptorUploader
{
    public static readonly TimeSpan DefaultMinBackoff = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromSeconds(5);

    private static readonly string[] s_final = [PkiRefusal.Late.ToTag(), PkiRefusal.WrongEpoch.ToTag(), PkiRefusal.Duplicate.ToTag()];

    private readonly DirectoryClient _client;
    private readonly TimeProvider _time;
    private readonly ConsensusMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeSpan _minBackoff;
    private readonly TimeSpan _maxBackoff;

    public DescriptorUploader(DirectoryClient client, TimeProvider time, ConsensusMetrics metrics, ILogger logger, TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _minBackoff = minBackoff ?? DefaultMinBackoff;
        _maxBackoff = maxBackoff ?? DefaultMaxBackoff;
    }

    /// <summary>Uploads to every authority concurrently; returns how many accepted.</summary>
    public async Task<int> UploadAsync(SignedDescriptor descriptor, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        bool[] accepted = await Task.WhenAll(_client.Authorities.Authorities.Select(a => UploadToAsync(a, descriptor, deadline, cancellationToken))).ConfigureAwait(false);
        return accepted.Count(a => a);
    }

    /// <summary>The refusal tag in an authority's answer (<c>"409: {"error": "late", …}"</c>), or null if it carries none.</summary>
    public static string? RefusalTag(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        int colon = answer.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(answer.AsMemory(colon + 2));
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out JsonElement error)
                && error.ValueKind == JsonValueKind.String
                ? error.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether the answer is the authority's own refusal (a 4xx), not a failure to reach it.</summary>
    public static bool IsRefusal(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        int colon = answer.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && int.TryParse(answer.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int status)
            && status is >= 400 and < 500;
    }

    private async Task<bool> UploadToAsync(AuthorityInfo authority, SignedDescriptor descriptor, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        TimeSpan backoff = _minBackoff;
        while (true)
        {
            string? answer = await _client.UploadDescriptorAsync(authority, descriptor, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                _metrics.Upload(ConsensusMetrics.UploadAccepted);
                ConsensusLog.UploadAccepted(_logger, descriptor.Epoch, authority.Name);
                return true;
            }

            bool refusal = IsRefusal(answer);
            _metrics.Upload(refusal ? ConsensusMetrics.UploadRefused : ConsensusMetrics.UploadFailed);
            string? tag = refusal ? RefusalTag(answer) : null;

            // The answer text is the authority's message or the transport error: no addresses of ours, but an
            // unreachable authority's message may name its own endpoint, so only the tag is logged then.
            string reason = tag ?? (refusal ? "refused" : "unreachable");
            if (tag is not null && s_final.Contains(tag))
            {
                ConsensusLog.UploadRefused(_logger, descriptor.Epoch, authority.Name, reason);
                return false;
            }

            if (_time.GetUtcNow() + backoff >= deadline)
            {
                ConsensusLog.UploadGaveUp(_logger, descriptor.Epoch, authority.Name, reason);
                return false;
            }

            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            backoff = backoff * 2 > _maxBackoff ? _maxBackoff : backoff * 2;
        }
    }
}
