using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Server.Audit.Streaming;
using Citadel.Server.Hosting;
using Citadel.Storage;

namespace Citadel.Server.Audit;

/// <summary>One line of a usage report: requests by operation and principal.</summary>
public sealed record UsageLine(string Operation, string Principal, long Requests, long Failed);

/// <summary>
/// Offline tools over the audit trail (`citadel audit …`): verify the chains, export as JSON Lines
/// or in CloudTrail's log-file layout, tail, and a per-key usage report with AWS's list prices.
/// </summary>
public sealed class AuditTools
{
    /// <summary>AWS KMS list prices (us-east-1, aws.amazon.com/kms/pricing): $0.03 per 10,000 symmetric or HMAC requests, $0.15 per 10,000 asymmetric requests, $1 per key-month.</summary>
    public const decimal SymmetricPer10K = 0.03m;
    public const decimal AsymmetricPer10K = 0.15m;
    public const decimal KeyMonth = 1.00m;

    private readonly IAuditStore _store;

    internal AuditTools(IAuditStore store) => _store = store;

    /// <summary>Walks every chain as the store reads it (records are not held), checking links, hashes and the lookup columns.</summary>
    public Task<IReadOnlyList<AuditChain.Verification>> VerifyAsync(CancellationToken ct) =>
        AuditVerificationJob.VerifyChainsAsync(_store, ct);

    /// <summary>
    /// What each audit journal left in <paramref name="dataDirectory"/> holds, and whether any is damaged
    /// (`citadel audit journal inspect`). Refused (<see cref="InvalidOperationException"/>) while a server holds the data directory.
    /// </summary>
    public async Task<(IReadOnlyList<string> Lines, bool Damaged)> InspectJournalsAsync(string dataDirectory, CancellationToken ct)
    {
        using var held = DataDirectoryLock.Acquire(dataDirectory, TimeProvider.System.GetUtcNow());
        return await AuditJournal.InspectAsync(JournalDirectory(dataDirectory), _store, ct);
    }

    /// <summary>
    /// Moves every intact event of the journals into the store, recording gaps where damage lost events
    /// (`citadel audit journal resolve`). Refused while a server holds the data directory.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResolveJournalsAsync(string dataDirectory, CancellationToken ct)
    {
        using var held = DataDirectoryLock.Acquire(dataDirectory, TimeProvider.System.GetUtcNow());
        return await AuditJournal.ResolveAsync(JournalDirectory(dataDirectory), _store, TimeProvider.System, ct);
    }

    private static string JournalDirectory(string dataDirectory) => Path.Combine(dataDirectory, JournalSegments.JournalDirectoryName);

    /// <summary>Every record, oldest first per chain, as one JSON object per line.</summary>
    public async Task<long> ExportJsonLinesAsync(TextWriter output, DateTimeOffset? since, DateTimeOffset? until, CancellationToken ct)
    {
        long count = 0;
        foreach (var head in await _store.ListChainsAsync(ct))
        {
            await foreach (var record in _store.ReadChainAsync(head.ChainId, 0, ct))
            {
                if ((since is null || record.EventTime >= since) && (until is null || record.EventTime <= until))
                {
                    await output.WriteLineAsync(record.Record);
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// CloudTrail's S3 layout: AWSLogs/&lt;account&gt;/CloudTrail/&lt;region&gt;/YYYY/MM/DD/&lt;account&gt;_CloudTrail_&lt;region&gt;_YYYYMMDDTHHmmZ_&lt;id&gt;.json.gz,
    /// each a gzipped {"Records": [...]}, one file per account, region and hour.
    /// </summary>
    public async Task<int> ExportCloudTrailAsync(string directory, DateTimeOffset? since, DateTimeOffset? until, CancellationToken ct)
    {
        var groups = new Dictionary<(string Account, string Region, DateTime Hour), List<string>>();
        foreach (var head in await _store.ListChainsAsync(ct))
        {
            await foreach (var record in _store.ReadChainAsync(head.ChainId, 0, ct))
            {
                if ((since is not null && record.EventTime < since) || (until is not null && record.EventTime > until))
                {
                    continue;
                }

                var region = CloudTrailFiles.RegionOf(record.Record);
                var time = record.EventTime.UtcDateTime;
                var hour = new DateTime(time.Year, time.Month, time.Day, time.Hour, 0, 0, DateTimeKind.Utc);
                var key = (record.AccountId, region, hour);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add(record.Record);
            }
        }

        foreach (var ((account, region, hour), records) in groups)
        {
            var folder = CloudTrailFiles.Folder(directory, account, region, hour);
            Directory.CreateDirectory(folder);
            var name = CloudTrailFiles.FileName(account, region, hour, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            await using var file = File.Create(Path.Combine(folder, name));
            await CloudTrailFiles.WriteAsync(file, records, ct);
        }

        return groups.Count;
    }

    /// <summary>The newest <paramref name="count"/> records across chains, oldest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> LatestAsync(string accountId, int count, CancellationToken ct)
    {
        var (records, _) = await _store.LookupAsync(new AuditQuery(accountId, null, null, AuditLookupKey.None, null, count, null), ct);
        return records.Reverse().ToList();
    }

    /// <summary>Requests against one key by operation and principal since <paramref name="since"/>.</summary>
    public async Task<IReadOnlyList<UsageLine>> UsageAsync(string accountId, string keyArn, DateTimeOffset since, CancellationToken ct)
    {
        var counts = new Dictionary<(string Operation, string Principal), (long Requests, long Failed)>();
        AuditCursor? after = null;
        do
        {
            var (records, next) = await _store.LookupAsync(new AuditQuery(accountId, since, null, AuditLookupKey.ResourceName, keyArn, 50, after), ct);
            foreach (var record in records)
            {
                using var document = JsonDocument.Parse(record.Record);
                var root = document.RootElement;
                var principal = root.GetProperty("userIdentity").TryGetProperty("arn", out var arn) ? arn.GetString() ?? "kms.amazonaws.com" : "kms.amazonaws.com";
                var failed = root.TryGetProperty("errorCode", out _);
                var current = counts.GetValueOrDefault((record.EventName, principal));
                counts[(record.EventName, principal)] = (current.Requests + 1, current.Failed + (failed ? 1 : 0));
            }

            after = next;
        }
        while (after is not null);

        return counts.Select(c => new UsageLine(c.Key.Operation, c.Key.Principal, c.Value.Requests, c.Value.Failed))
            .OrderByDescending(l => l.Requests)
            .ToList();
    }
}
