using System.Runtime.CompilerServices;
using Citadel.Core.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The audit trail on PostgreSQL: one hash chain per node (AuditOptions.ChainId), so several writers
/// never contend for a sequence, and each chain verifies on its own.
/// </summary>
internal sealed partial class PostgreSqlStore : IAuditStore
{
    private const string AuditColumns = "chain_id, seq, event_id, event_time, account_id, event_name, event_source, username, access_key_id, resource_name, read_only, record, prev_hash, hash";

    public async Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains WHERE chain_id = @c;");
        command.Parameters.AddWithValue("c", chainId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AuditChainHead(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3)) : null;
    }

    public async Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains ORDER BY chain_id;");
        return await ReadAllAsync(command, r => new AuditChainHead(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3)), ct);
    }

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            // One round trip for the batch: COPY is the fastest way PostgreSQL takes many rows.
            await using (var importer = await connection.BeginBinaryImportAsync($"COPY audit_events ({AuditColumns}) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var record in records)
                {
                    await importer.StartRowAsync(ct);
                    await importer.WriteAsync(record.ChainId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.Sequence, NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(record.EventId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.EventTime.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(record.AccountId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.EventName, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.EventSource, NpgsqlDbType.Text, ct);
                    await WriteNullableAsync(importer, record.Username, ct);
                    await WriteNullableAsync(importer, record.AccessKeyId, ct);
                    await WriteNullableAsync(importer, record.ResourceName, ct);
                    await importer.WriteAsync(record.ReadOnly, NpgsqlDbType.Boolean, ct);
                    await importer.WriteAsync(record.Record, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.PreviousHash, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.Hash, NpgsqlDbType.Text, ct);
                }

                await importer.CompleteAsync(ct);
            }

            var last = records[^1];
            await using var head = Command(connection, tx, """
                INSERT INTO audit_chains (chain_id, head_seq, head_hash, retained_from_seq) VALUES (@c, @s, @h, 1)
                ON CONFLICT (chain_id) DO UPDATE SET head_seq = @s, head_hash = @h;
                """);
            head.Parameters.AddWithValue("c", chainId);
            head.Parameters.AddWithValue("s", last.Sequence);
            head.Parameters.AddWithValue("h", last.Hash);
            await head.ExecuteNonQueryAsync(ct);
        }, ct);

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {AuditColumns} FROM audit_events WHERE chain_id = @c AND seq >= @s ORDER BY seq;");
        command.Parameters.AddWithValue("c", chainId);
        command.Parameters.AddWithValue("s", fromSequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return ReadAudit(reader);
        }
    }

    public async Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct)
    {
        var column = query.Attribute switch
        {
            AuditLookupKey.EventId => "event_id",
            AuditLookupKey.EventName => "event_name",
            AuditLookupKey.ReadOnly => "read_only",
            AuditLookupKey.Username => "username",
            AuditLookupKey.ResourceName => "resource_name",
            AuditLookupKey.EventSource => "event_source",
            AuditLookupKey.AccessKeyId => "access_key_id",
            AuditLookupKey.ResourceType => "'AWS::KMS::Key'",
            _ => null,
        };
        var filter = column is null ? "" : $" AND {column} = @v";
        var cursor = query.After is null ? "" : " AND (event_time, chain_id, seq) < (@ct, @cc, @cs)";
        await using var command = ReadCommand($"""
            SELECT {AuditColumns} FROM audit_events
            WHERE account_id = @a AND event_time >= @from AND event_time <= @to{filter}{cursor}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT @limit;
            """);
        command.Parameters.AddWithValue("a", query.AccountId);
        command.Parameters.AddWithValue("from", query.StartTime is { } from ? from.ToUnixTimeMilliseconds() : long.MinValue);
        command.Parameters.AddWithValue("to", query.EndTime is { } to ? to.ToUnixTimeMilliseconds() : long.MaxValue);
        command.Parameters.AddWithValue("limit", query.Limit + 1);
        if (column is not null)
        {
            if (query.Attribute == AuditLookupKey.ReadOnly)
            {
                command.Parameters.AddWithValue("v", string.Equals(query.AttributeValue, "true", StringComparison.OrdinalIgnoreCase));
            }
            else
            {
                command.Parameters.AddWithValue("v", query.AttributeValue ?? "");
            }
        }

        if (query.After is { } after)
        {
            command.Parameters.AddWithValue("ct", after.TimeMs);
            command.Parameters.AddWithValue("cc", after.ChainId);
            command.Parameters.AddWithValue("cs", after.Sequence);
        }

        var list = await ReadAllAsync(command, ReadAudit, ct);
        if (list.Count <= query.Limit)
        {
            return (list, null);
        }

        var page = list.Take(query.Limit).ToList();
        var last = page[^1];
        return (page, new AuditCursor(last.EventTime.ToUnixTimeMilliseconds(), last.ChainId, last.Sequence));
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using var delete = Command(connection, tx, """
                DELETE FROM audit_events e USING audit_chains c
                WHERE e.chain_id = c.chain_id AND e.event_time < @cut AND e.seq < c.head_seq;
                """);
            delete.Parameters.AddWithValue("cut", cutoff.ToUnixTimeMilliseconds());
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            await using var anchor = Command(connection, tx, """
                UPDATE audit_chains c SET retained_from_seq = COALESCE((SELECT MIN(seq) FROM audit_events e WHERE e.chain_id = c.chain_id), c.head_seq + 1);
                """);
            await anchor.ExecuteNonQueryAsync(ct);
            return deleted;
        }, ct);

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken ct)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(ct);
        }
        else
        {
            await importer.WriteAsync(value, NpgsqlDbType.Text, ct);
        }
    }

    private static AuditRecord ReadAudit(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetBoolean(10),
        r.GetString(11),
        r.GetString(12),
        r.GetString(13));
}
