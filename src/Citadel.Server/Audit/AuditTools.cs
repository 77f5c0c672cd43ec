using System.Globalization;
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

    /// <summary>How long the tools wait for running nodes to derive their chains' events past the trail (a read on a server waits as long).</summary>
    public static readonly TimeSpan RunningNodesWait = TimeSpan.FromSeconds(5);

    /// <summary>How often the tools look at those chains' heads again while they wait.</summary>
    private static readonly TimeSpan RunningNodesPoll = TimeSpan.FromMilliseconds(50);

    private readonly IAuditStore _store;

    /// <summary>The journal in the database (PostgreSQL), else null: the trail is derived from it behind the nodes' answers.</summary>
    private readonly IAuditJournalStore? _journal;

    internal AuditTools(IAuditStore store, IAuditJournalStore? journal = null)
    {
        _store = store;
        _journal = journal;
    }

    /// <summary>
    /// Brings the trail up to every event the nodes acknowledged, before the tools read it (PostgreSQL; nothing to
    /// do on SQLite, whose journals were drained when the store was opened). The tools read the store directly, and
    /// a chain whose durable journal rows end past its trail's head (its node's last ~100 ms, or a database crash that
    /// lost derived commits) would be silently short. As a read on a server does (AuditWriter.OtherChains.cs): a chain
    /// no running node holds is claimed and derived here (safe with its node alive: its journal commits are refused
    /// while the claim is held, and the head moves only from where each deriver found it); a chain a running node
    /// holds is that node's to derive, never this command's, and is waited for up to <paramref name="wait"/>. Returns
    /// a line for each chain derived and for each still short after the wait, naming it, how many events are past its
    /// head, and what to do; none when the trail holds everything.
    /// </summary>
    public async Task<IReadOnlyList<string>> CatchUpChainsAsync(TimeSpan wait, CancellationToken ct)
    {
        if (_journal is null)
        {
            return [];
        }

        var behind = (await _journal.ListJournalChainsAsync(ct)).ToList();
        var notices = new List<string>();
        foreach (var chain in behind)
        {
            await using var claim = await _journal.TryClaimChainAsync(chain.ChainId, ct);
            if (claim is null)
            {
                continue;
            }

            try
            {
                // Its node is gone, or lost its claim in a database restart: the resource hours written with the lost commits may be lost too.
                _journal.DerivedCommitsLost();
                if (await AuditWriter.DeriveClaimedChainAsync(_store, _journal, chain.ChainId, long.MaxValue) is var derived and > 0)
                {
                    notices.Add($"chain {chain.ChainId}: derived {derived} events from its journal into the trail (no running node held the chain)");
                }
            }
            catch (AuditChainMovedException)
            {
                // Its node claimed it again and derived it first.
            }
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(wait);
        var now = await AuditWriter.WaitForChainsAsync(_journal, behind, RunningNodesPoll, limit.Token);
        ct.ThrowIfCancellationRequested();
        foreach (var chain in behind)
        {
            var head = now.First(c => c.ChainId == chain.ChainId).Head;
            notices.Add(string.Create(CultureInfo.InvariantCulture,
                $"chain {chain.ChainId}: {chain.JournalEnd - head} acknowledged events past its trail's head ({head}; its journal ends at {chain.JournalEnd}) are left out: a running node holds the chain and is deriving them; run again in a few seconds"));
        }

        return notices;
    }

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
