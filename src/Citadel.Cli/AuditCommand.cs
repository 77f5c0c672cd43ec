using System.CommandLine;
using System.Globalization;
using Citadel.Server.Audit;
using Citadel.Server.Identity;

namespace Citadel.Cli;

/// <summary>`citadel audit …`: verify the hash chains, export, tail, and per-key usage — on a data directory.</summary>
internal static class AuditCommand
{
    public static Command Build()
    {
        var where = new AdminOptions();

        var verify = new Command("verify", "Walk every hash chain; report the first broken link and what is missing or changed (records, and the columns LookupEvents filters on or returns), and the gaps `audit journal resolve` recorded. Exit code 1 when anything is missing or changed.");
        verify.SetAction((p, ct) => where.RunAsync("audit", p, async admin =>
        {
            await CatchUpAsync(admin, ct);
            var ok = true;
            foreach (var result in await admin.Audit.VerifyAsync(ct))
            {
                Console.WriteLine($"chain {result.ChainId}: {result.Records} records, {(result.Intact ? "intact" : "BROKEN")}");
                foreach (var problem in result.Problems)
                {
                    Console.WriteLine($"  {problem}");
                }

                foreach (var gap in result.Gaps)
                {
                    Console.WriteLine($"  recorded gap: {gap}");
                }

                ok &= result.Intact;
            }

            return ok ? 0 : 1;
        }, ct));

        var format = new Option<string>("--format") { Description = "jsonl (one record per line) or cloudtrail (gzipped {\"Records\": [...]} files in CloudTrail's folder layout).", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "cloudtrail");
        var output = new Option<string?>("--out") { Description = "File (jsonl; default standard output) or directory (cloudtrail)." };
        var since = new Option<string?>("--since") { Description = "Only events at or after this time (ISO 8601)." };
        var until = new Option<string?>("--until") { Description = "Only events at or before this time (ISO 8601)." };
        var export = new Command("export", "Export audit events.") { format, output, since, until };
        export.SetAction((p, ct) => where.RunAsync("audit", p, async admin =>
        {
            await CatchUpAsync(admin, ct);
            var from = ParseTime(p.GetValue(since));
            var to = ParseTime(p.GetValue(until));
            if (p.GetValue(format) == "cloudtrail")
            {
                var directory = p.GetValue(output) ?? "cloudtrail-export";
                var files = await admin.Audit.ExportCloudTrailAsync(directory, from, to, ct);
                await Console.Error.WriteLineAsync($"wrote {files} files under {Path.GetFullPath(directory)}");
                return 0;
            }

            var path = p.GetValue(output);
            await using var writer = path is null ? Console.Out : new StreamWriter(path);
            var count = await admin.Audit.ExportJsonLinesAsync(writer, from, to, ct);
            await Console.Error.WriteLineAsync($"exported {count} events");
            return 0;
        }, ct));

        var account = new Option<string>("--account") { Description = "Account id.", DefaultValueFactory = _ => "111122223333" };
        var lines = new Option<int>("-n") { Description = "How many events.", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow") { Description = "Keep printing new events as they arrive (Ctrl-C stops)." };
        var tail = new Command("tail", "Print the newest events of an account: time, event, principal, key, error.") { account, lines, follow };
        tail.SetAction((p, ct) => where.RunAsync("audit", p, async admin =>
        {
            await CatchUpAsync(admin, ct);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            do
            {
                foreach (var record in await admin.Audit.LatestAsync(p.GetValue(account)!, p.GetValue(lines), ct))
                {
                    if (seen.Add(record.EventId))
                    {
                        Console.WriteLine($"{record.EventTime.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}  {record.EventName,-24} {record.Username ?? "kms.amazonaws.com",-16} {record.ResourceName ?? "-"}");
                    }
                }

                if (p.GetValue(follow))
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            }
            while (p.GetValue(follow) && !ct.IsCancellationRequested);

            return 0;
        }, ct));

        var key = new Option<string>("--key") { Description = "Key ARN.", Required = true };
        var days = new Option<int>("--days") { Description = "Period in days.", DefaultValueFactory = _ => 30 };
        var asymmetric = new Option<bool>("--asymmetric") { Description = "Price requests at the asymmetric rate." };
        var usage = new Command("usage", "Requests against a key by operation and principal over a period, and what they would cost at AWS's list prices.") { key, days, asymmetric };
        usage.SetAction((p, ct) => where.RunAsync("audit", p, async admin =>
        {
            await CatchUpAsync(admin, ct);
            var arn = p.GetValue(key)!;
            var parts = arn.Split(':');
            if (parts.Length < 6)
            {
                await Console.Error.WriteLineAsync("citadel audit usage: --key must be a key ARN.");
                return 2;
            }

            var period = p.GetValue(days);
            var report = await admin.Audit.UsageAsync(parts[4], arn, TimeProvider.System.GetUtcNow().AddDays(-period), ct);
            Console.WriteLine($"{"operation",-34} {"principal",-56} {"requests",10} {"failed",8}");
            foreach (var line in report)
            {
                Console.WriteLine($"{line.Operation,-34} {line.Principal,-56} {line.Requests,10} {line.Failed,8}");
            }

            var total = report.Sum(l => l.Requests);
            var rate = p.GetValue(asymmetric) ? AuditTools.AsymmetricPer10K : AuditTools.SymmetricPer10K;
            var requestCost = total / 10_000m * rate;
            var keyCost = AuditTools.KeyMonth * period / 30m;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} requests in {period} days. At AWS KMS list prices (us-east-1): requests ${requestCost:0.0000} (${rate} per 10,000) + key ${keyCost:0.00} (${AuditTools.KeyMonth} per month) = ${requestCost + keyCost:0.00}"));
            return 0;
        }, ct));

        var command = new Command("audit", "The audit trail: verify, export, tail, usage, and the journals a server left behind.") { verify, export, tail, usage, Journal(where) };
        where.AddTo(command);
        return command;
    }

    /// <summary>
    /// `citadel audit journal inspect|resolve`: the audit journals in &lt;data-dir&gt;/audit-journal, which
    /// a server drains at start. Both refuse while a server holds the data directory.
    /// </summary>
    private static Command Journal(AdminOptions where)
    {
        var inspect = new Command(
            "inspect",
            "Say what each audit journal in <data-dir>/audit-journal holds: its chain, the events the store lacks (first and last sequence number), "
            + "older events, a torn tail (a write a crash interrupted, never acknowledged: dropped), and damage with its byte offset and the events it would lose. "
            + "Changes nothing. Exit code 1 when a journal is damaged (run `citadel audit journal resolve`).");
        inspect.SetAction((p, ct) => where.RunAsync("audit journal inspect", p, async admin =>
        {
            var (lines, damaged) = await admin.Audit.InspectJournalsAsync(where.DataDirectory(p), ct);
            return Print(lines, damaged ? 1 : 0);
        }, ct, drainJournals: false));

        var resolve = new Command(
            "resolve",
            "After damage to an audit journal (the server refuses to start and says so): move every intact event of every journal into the store, "
            + "record each run of events the damage lost as an AuditGap event in the hash chain (so `citadel audit verify` reports the gap as recorded, not as records removed), "
            + "and rename each damaged journal to <name>.damaged, kept for forensics. Then start the server.");
        resolve.SetAction((p, ct) => where.RunAsync("audit journal resolve", p, async admin => Print(await admin.Audit.ResolveJournalsAsync(where.DataDirectory(p), ct), 0), ct, drainJournals: false));

        return new Command("journal", "The audit journals a server left behind (after a crash, or a stop with the store unreachable): inspect them, resolve damage.") { inspect, resolve };
    }

    /// <summary>
    /// On PostgreSQL, brings the trail up to what the nodes acknowledged before a command reads it, and says on
    /// standard error what it derived and which chains are still short (a running node's, for it to derive): the
    /// output is never silently short (<see cref="AuditTools.CatchUpChainsAsync"/>).
    /// </summary>
    private static async Task CatchUpAsync(LocalAdmin admin, CancellationToken ct)
    {
        foreach (var notice in await admin.Audit.CatchUpChainsAsync(AuditTools.RunningNodesWait, ct))
        {
            await Console.Error.WriteLineAsync($"citadel audit: {notice}");
        }
    }

    private static int Print(IEnumerable<string> lines, int exitCode)
    {
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        return exitCode;
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
