using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Audit;
using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit.Streaming;

/// <summary>
/// Streams the queryable audit trail to a directory in CloudTrail's S3 layout, behind the requests:
/// it reads each chain in sequence order (<see cref="IAuditStore.ReadChainAsync"/>), writes a file
/// when it holds <see cref="AuditStreamOptions.MaxEvents"/> events or its first event is
/// <see cref="AuditStreamOptions.MaxAge"/> old, and only then, once the file is durable, moves the
/// chain's checkpoint past it. A file's name comes from its chain and first sequence number, so
/// after a crash between a file and its checkpoint the same file is written again and replaces
/// itself: no gap (the checkpoint never passes an event not on disk) and no duplicate.
/// </summary>
internal sealed class AuditStream : BackgroundService
{
    /// <summary>The meter of the stream's lag and progress.</summary>
    public const string MeterName = "Citadel.Audit.Stream";

    private const string CheckpointFolder = ".citadel-stream";
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BehindReportInterval = TimeSpan.FromMinutes(1);

    private readonly IAuditStore _store;
    private readonly AuditStreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditStream> _logger;
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _written;
    private readonly Counter<long> _failures;
    private readonly Dictionary<string, Chain> _chains = new(StringComparer.Ordinal);
    private long _lagEvents;
    private double _lagSeconds;
    private DateTimeOffset _behindReportedAt = DateTimeOffset.MinValue;

    public AuditStream(IAuditStore store, AuditStreamOptions options, TimeProvider time, ILogger<AuditStream> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _written = _meter.CreateCounter<long>("citadel.audit.stream.events", "{event}", "Audit events written to the stream's files.");
        _failures = _meter.CreateCounter<long>("citadel.audit.stream.failures", "{failure}", "Attempts to stream that failed (the directory or the trail could not be used); each is retried.");
        _meter.CreateObservableGauge("citadel.audit.stream.lag", () => Volatile.Read(ref _lagEvents), "{event}", "Events in the audit trail not yet written to the stream.");
        _meter.CreateObservableGauge("citadel.audit.stream.lag.age", () => Volatile.Read(ref _lagSeconds), "s", "Age of the oldest event not yet written to the stream.");
    }

    private string Root => _options.Directory;

    /// <summary>Events in the trail not yet in a file, as of the last pass.</summary>
    public long LagEvents => Volatile.Read(ref _lagEvents);

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.StreamStarted(Path.GetFullPath(Root), _options.MaxEvents, _options.MaxAge);
        }

        var retry = FirstRetry;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                if (failing)
                {
                    _logger.StreamResumed(Root);
                    failing = false;
                    retry = FirstRetry;
                }

                await Task.Delay(_options.PollInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                _failures.Add(1);
                var reason = OneLine(exception);
                if (!failing)
                {
                    _logger.StreamFailed(Root, reason, retry.TotalSeconds);
                }
                else
                {
                    _logger.StreamStillFailing(Root, reason);
                }

                failing = true;

                // What was read but not written is read again from each chain's checkpoint.
                _chains.Clear();
                try
                {
                    await Task.Delay(retry, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>One pass: reads what is new in every chain and writes the files that are due.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        long lag = 0;
        DateTimeOffset? oldest = null;
        foreach (var head in await _store.ListChainsAsync(ct))
        {
            if (!_chains.TryGetValue(head.ChainId, out var chain))
            {
                var streamed = ReadCheckpoint(head.ChainId);
                if (streamed > head.Sequence)
                {
                    // The trail is behind the files: new events would reuse the sequence numbers already streamed and be skipped.
                    throw new InvalidOperationException(
                        $"the checkpoint of chain {head.ChainId} is at event {streamed}, but the trail ends at {head.Sequence} (was the database restored from an older backup?); " +
                        $"move the directory's files aside and delete {Path.Combine(Root, CheckpointFolder, CheckpointName(head.ChainId))} to stream the chain again from its start");
                }

                _chains[head.ChainId] = chain = new Chain(head.ChainId, streamed);
            }

            await StreamChainAsync(chain, head.Sequence, ct);
            lag += Math.Max(0, head.Sequence - chain.Streamed);
            if (chain.Pending.Count > 0 && (oldest is null || chain.Pending[0].EventTime < oldest))
            {
                oldest = chain.Pending[0].EventTime;
            }
        }

        var now = _time.GetUtcNow();
        var age = oldest is { } first ? Math.Max(0, (now - first).TotalSeconds) : 0;
        Volatile.Write(ref _lagEvents, lag);
        Volatile.Write(ref _lagSeconds, age);
        if (age > (_options.MaxAge + BehindReportInterval).TotalSeconds && now - _behindReportedAt >= BehindReportInterval)
        {
            _behindReportedAt = now;
            _logger.StreamBehind(Root, (long)age, lag);
        }
    }

    private async Task StreamChainAsync(Chain chain, long headSequence, CancellationToken ct)
    {
        while (true)
        {
            var room = _options.MaxEvents - chain.Pending.Count;
            if (room > 0 && headSequence >= chain.NextRead)
            {
                var read = 0;
                await foreach (var record in _store.ReadChainAsync(chain.Id, chain.NextRead, ct))
                {
                    if (record.Sequence != chain.NextRead)
                    {
                        _logger.StreamGap(chain.NextRead, record.Sequence - 1, chain.Id);
                    }

                    chain.Pending.Add(record);
                    chain.NextRead = record.Sequence + 1;
                    if (++read == room)
                    {
                        break;
                    }
                }
            }

            if (chain.Pending.Count == 0
                || (chain.Pending.Count < _options.MaxEvents && _time.GetUtcNow() - chain.Pending[0].EventTime < _options.MaxAge))
            {
                return;
            }

            await WriteAsync(chain, ct);
        }
    }

    /// <summary>
    /// Writes the chain's pending events, one file per account, region and day (each named by the
    /// chain and the sequence of its first event), then the checkpoint after the last of them.
    /// </summary>
    private async Task WriteAsync(Chain chain, CancellationToken ct)
    {
        var files = new Dictionary<(string Account, string Region, DateTime Day), List<AuditRecord>>();
        foreach (var record in chain.Pending)
        {
            var key = (record.AccountId, CloudTrailFiles.RegionOf(record.Record), record.EventTime.UtcDateTime.Date);
            if (!files.TryGetValue(key, out var records))
            {
                files[key] = records = [];
            }

            records.Add(record);
        }

        foreach (var ((account, region, _), records) in files)
        {
            var first = records[0];
            var time = first.EventTime.UtcDateTime;
            var minute = new DateTime(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, DateTimeKind.Utc);
            var folder = CloudTrailFiles.Folder(Root, account, region, minute);
            var name = CloudTrailFiles.FileName(account, region, minute, UniqueName(chain.Id, first.Sequence));
            await DurableFiles.ReplaceAsync(folder, name, (stream, token) => CloudTrailFiles.WriteAsync(stream, records.Select(r => r.Record), token), ct);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.StreamFileWritten(first.Sequence, records[^1].Sequence, chain.Id, Path.Combine(folder, name));
            }
        }

        var last = chain.Pending[^1].Sequence;
        await DurableFiles.ReplaceAsync(
            Path.Combine(Root, CheckpointFolder),
            CheckpointName(chain.Id),
            (stream, token) => stream.WriteAsync(Encoding.UTF8.GetBytes($"{chain.Id} {last.ToString(CultureInfo.InvariantCulture)}\n"), token).AsTask(),
            ct);
        _written.Add(chain.Pending.Count);
        chain.Streamed = last;
        chain.Pending.Clear();
    }

    /// <summary>The last sequence of the chain already in a file (0 for none).</summary>
    private long ReadCheckpoint(string chainId)
    {
        var path = Path.Combine(Root, CheckpointFolder, CheckpointName(chainId));
        if (!File.Exists(path))
        {
            return 0;
        }

        var text = File.ReadAllText(path).Trim();
        var space = text.LastIndexOf(' ');
        if (space < 0 || text[..space] != chainId || !long.TryParse(text[(space + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            throw new InvalidOperationException(
                $"the checkpoint {path} is damaged (it should hold \"{chainId} <sequence>\"); delete it to stream chain {chainId} again from its start (the files written before are replaced, not duplicated)");
        }

        return sequence;
    }

    /// <summary>The 16-character unique part of a file name: the same for the same chain and first event, so a file written again replaces itself.</summary>
    internal static string UniqueName(string chainId, long firstSequence) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{chainId}\n{firstSequence.ToString(CultureInfo.InvariantCulture)}")))[..16];

    private static string CheckpointName(string chainId) =>
        (chainId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && chainId[0] != '.' ? chainId : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(chainId)))) + ".checkpoint";

    private static string OneLine(Exception exception) => exception.Message.ReplaceLineEndings(" ");

    private sealed class Chain(string id, long streamed)
    {
        public string Id { get; } = id;

        /// <summary>The last sequence in a durable file (the checkpoint).</summary>
        public long Streamed { get; set; } = streamed;

        /// <summary>The next sequence to read from the trail.</summary>
        public long NextRead { get; set; } = streamed + 1;

        /// <summary>Events read, waiting for their file.</summary>
        public List<AuditRecord> Pending { get; } = [];
    }
}
