using System.Runtime.CompilerServices;
using Citadel.Core.Audit;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore : IAuditStore
{
    private static readonly string[] AuditParameterNames = ["$c", "$s", "$id", "$t", "$a", "$n", "$src", "$u", "$k", "$r", "$ro", "$rec", "$p", "$h"];

    private const string AuditColumns = "chain_id, seq, event_id, event_time, account_id, event_name, event_source, username, access_key_id, resource_name, read_only, record, prev_hash, hash";

    private const string AfterCursor = " AND (event_time < $ct OR (event_time = $ct AND (chain_id < $cc OR (chain_id = $cc AND seq < $cs))))";

    private readonly AuditByResource _byResource = new();

    public async Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains WHERE chain_id = $c;");
        command.Parameters.AddWithValue("$c", chainId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AuditChainHead(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3)) : null;
    }

    public async Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains ORDER BY chain_id;");
        return await ReadAllAsync(command, reader => new AuditChainHead(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3)), ct);
    }

    public async Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        var newHours = _byResource.Unwritten(records);
        await WriteAsync(async (connection, tx) =>
        {
            await using var insert = Command(connection, tx, $"INSERT INTO audit_events ({AuditColumns}) VALUES ($c, $s, $id, $t, $a, $n, $src, $u, $k, $r, $ro, $rec, $p, $h);");
            var parameters = AuditParameterNames.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            foreach (var record in records)
            {
                parameters[0].Value = record.ChainId;
                parameters[1].Value = record.Sequence;
                parameters[2].Value = record.EventId;
                parameters[3].Value = ToUnixMs(record.EventTime);
                parameters[4].Value = record.AccountId;
                parameters[5].Value = record.EventName;
                parameters[6].Value = record.EventSource;
                parameters[7].Value = (object?)record.Username ?? DBNull.Value;
                parameters[8].Value = (object?)record.AccessKeyId ?? DBNull.Value;
                parameters[9].Value = (object?)record.ResourceName ?? DBNull.Value;
                parameters[10].Value = record.ReadOnly ? 1 : 0;
                parameters[11].Value = record.Record;
                parameters[12].Value = record.PreviousHash;
                parameters[13].Value = record.Hash;
                await insert.ExecuteNonQueryAsync(ct);
            }

            var last = records[^1];
            await using var head = Command(connection, tx, """
                INSERT INTO audit_chains (chain_id, head_seq, head_hash, retained_from_seq) VALUES ($c, $s, $h, 1)
                ON CONFLICT (chain_id) DO UPDATE SET head_seq = $s, head_hash = $h;
                """);
            head.Parameters.AddWithValue("$c", chainId);
            head.Parameters.AddWithValue("$s", last.Sequence);
            head.Parameters.AddWithValue("$h", last.Hash);
            await head.ExecuteNonQueryAsync(ct);

            if (newHours.Count > 0)
            {
                await using var hours = Command(connection, tx, "INSERT OR IGNORE INTO audit_resource_hours (resource_name, hour) VALUES ($r, $h);");
                var resource = hours.Parameters.Add("$r", SqliteType.Text);
                var hour = hours.Parameters.Add("$h", SqliteType.Integer);
                foreach (var (name, at) in newHours)
                {
                    resource.Value = name;
                    hour.Value = at;
                    await hours.ExecuteNonQueryAsync(ct);
                }
            }
        }, ct);
        _byResource.Committed(newHours);
    }

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"SELECT {AuditColumns} FROM audit_events WHERE chain_id = $c AND seq >= $s ORDER BY seq;");
        command.Parameters.AddWithValue("$c", chainId);
        command.Parameters.AddWithValue("$s", fromSequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return ReadAudit(reader);
        }
    }

    public async Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct)
    {
        if (query.Attribute == AuditLookupKey.ResourceName)
        {
            return AuditByResource.Page(await LookupByResourceAsync(query, ct), query.Limit);
        }

        var column = query.Attribute switch
        {
            AuditLookupKey.EventId => "event_id",
            AuditLookupKey.EventName => "event_name",
            AuditLookupKey.ReadOnly => "read_only",
            AuditLookupKey.Username => "username",
            AuditLookupKey.EventSource => "event_source",
            AuditLookupKey.AccessKeyId => "access_key_id",
            AuditLookupKey.ResourceType => "'AWS::KMS::Key'",
            _ => null,
        };
        var filter = column is null ? "" : $" AND {column} = $v";
        var cursor = query.After is null ? "" : AfterCursor;
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"""
            SELECT {AuditColumns} FROM audit_events
            WHERE account_id = $a AND event_time >= $from AND event_time <= $to{filter}{cursor}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT $limit;
            """);
        BindLookup(command, query, query.StartTime is { } from ? ToUnixMs(from) : long.MinValue, query.EndTime is { } to ? ToUnixMs(to) : long.MaxValue);
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        if (column is not null)
        {
            command.Parameters.AddWithValue("$v", query.Attribute == AuditLookupKey.ReadOnly
                ? (string.Equals(query.AttributeValue, "true", StringComparison.OrdinalIgnoreCase) ? 1 : 0)
                : query.AttributeValue ?? "");
        }

        return AuditByResource.Page(await ReadAllAsync(command, ReadAudit, ct), query.Limit);
    }

    /// <summary>Events of one resource, newest first (see <see cref="AuditByResource"/>): one seek per second of the hours it was used in.</summary>
    private async Task<List<AuditRecord>> LookupByResourceAsync(AuditQuery query, CancellationToken ct)
    {
        if (AuditByResource.Range(query) is not var (from, to) || query.AttributeValue is not { } resource)
        {
            return [];
        }

        await using var connection = await OpenAsync(ct);
        await using var hours = Command(connection, null, """
            SELECT hour FROM audit_resource_hours WHERE resource_name = $r AND hour >= $from AND hour <= $to ORDER BY hour DESC;
            """);
        hours.Parameters.AddWithValue("$r", resource);
        hours.Parameters.AddWithValue("$from", from / AuditByResource.MsPerHour);
        hours.Parameters.AddWithValue("$to", to / AuditByResource.MsPerHour);
        var used = await ReadAllAsync(hours, r => r.GetInt64(0), ct);

        await using var second = Command(connection, null, $"""
            SELECT {AuditColumns} FROM audit_events INDEXED BY audit_by_second_resource
            WHERE event_time / 1000 = $sec AND resource_name = $v AND account_id = $a
            AND event_time >= $from AND event_time <= $to{(query.After is null ? "" : AfterCursor)}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT $limit;
            """);
        BindLookup(second, query, from, to);
        second.Parameters.AddWithValue("$v", resource);
        var at = second.Parameters.Add("$sec", SqliteType.Integer);
        var limit = second.Parameters.Add("$limit", SqliteType.Integer);
        return await AuditByResource.LookupAsync(used, from, to, query.Limit + 1, secondsPerProbe: 1, async (_, last, wanted) =>
        {
            at.Value = last;
            limit.Value = wanted;
            return await ReadAllAsync(second, ReadAudit, ct);
        });
    }

    private static void BindLookup(SqliteCommand command, AuditQuery query, long from, long to)
    {
        command.Parameters.AddWithValue("$a", query.AccountId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        if (query.After is { } after)
        {
            command.Parameters.AddWithValue("$ct", after.TimeMs);
            command.Parameters.AddWithValue("$cc", after.ChainId);
            command.Parameters.AddWithValue("$cs", after.Sequence);
        }
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            // Keep each chain's newest record, so the chain head stays anchored; record where each chain now starts.
            var cut = ToUnixMs(cutoff);
            await using var delete = Command(connection, tx, """
                DELETE FROM audit_events WHERE event_time / 1000 <= $cutSec AND event_time < $cut
                AND seq < (SELECT head_seq FROM audit_chains WHERE audit_chains.chain_id = audit_events.chain_id);
                """);
            delete.Parameters.AddWithValue("$cut", cut);
            delete.Parameters.AddWithValue("$cutSec", cut / 1000);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            await ExecuteAsync(connection, tx, """
                UPDATE audit_chains SET retained_from_seq = COALESCE((SELECT MIN(seq) FROM audit_events WHERE audit_events.chain_id = audit_chains.chain_id), head_seq + 1);
                """, ct);

            // Hours wholly before the cutoff keep a row only for a chain's anchor record left in them.
            await using var hours = Command(connection, tx, """
                DELETE FROM audit_resource_hours WHERE hour < $cutHour AND NOT EXISTS (
                    SELECT 1 FROM audit_events
                    WHERE event_time / 1000 >= hour * 3600 AND event_time / 1000 < (hour + 1) * 3600
                    AND resource_name = audit_resource_hours.resource_name);
                """);
            hours.Parameters.AddWithValue("$cutHour", cut / AuditByResource.MsPerHour);
            await hours.ExecuteNonQueryAsync(ct);
            return deleted;
        }, ct);

    private static AuditRecord ReadAudit(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.GetString(2),
        FromUnixMs(r.GetInt64(3)),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetInt64(10) != 0,
        r.GetString(11),
        r.GetString(12),
        r.GetString(13));
}
