using Citadel.Core.Audit;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite.Tests;

/// <summary>
/// Migration 14 (resource seconds as sequence ranges, no index by event id) on a database that version 13 left holding
/// events: random event ids as older versions wrote them and version-7 ones, two resources, two chains.
/// </summary>
public sealed class SqliteAuditIndexMigrationTests : IDisposable
{
    private const string Account = "111122223333";
    private const string KeyA = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000000";
    private const string KeyB = "arn:aws:kms:us-east-1:111122223333:key/bbbbbbbb-0000-0000-0000-000000000000";
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>The schema taken back from 14 to 13 (events kept).</summary>
    public const string Undo14 = """
        DROP TABLE audit_resource_seconds;
        DROP TABLE audit_legacy_event_ids;
        CREATE INDEX audit_by_second_resource ON audit_events (event_time / 1000, resource_name);
        CREATE INDEX audit_by_event_id ON audit_events (event_id);
        DELETE FROM schema_version WHERE version = 14;
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-migration-14-").FullName;

    private string DatabasePath => Path.Combine(_directory, "citadel.db");

    [Fact]
    [Trait("Issue", "17")]
    public async Task Events_written_by_version_13_are_found_by_every_lookup_and_verify_after_migration_14()
    {
        var chains = new[] { Chain("c1", randomIds: true), Chain("c2", randomIds: false) };
        await using (var store = new SqliteStore(DatabasePath, durableSync: false))
        {
            await store.MigrateAsync(13, CancellationToken.None);
        }

        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var record in chains.SelectMany(c => c))
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO audit_events (chain_id, seq, event_id, event_time, account_id, event_name, event_source, username, access_key_id, resource_name, read_only, record, prev_hash, hash)
                    VALUES ($c, $s, $id, $t, $a, $n, $src, $u, $k, $r, $ro, $rec, $p, $h);
                    INSERT INTO audit_chains (chain_id, head_seq, head_hash, retained_from_seq) VALUES ($c, $s, $h, 1)
                    ON CONFLICT (chain_id) DO UPDATE SET head_seq = $s, head_hash = $h;
                    INSERT OR IGNORE INTO audit_resource_hours (resource_name, hour) VALUES ($r, $t / 3600000);
                    """;
                insert.Parameters.AddWithValue("$c", record.ChainId);
                insert.Parameters.AddWithValue("$s", record.Sequence);
                insert.Parameters.AddWithValue("$id", record.EventId);
                insert.Parameters.AddWithValue("$t", record.EventTime.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$a", record.AccountId);
                insert.Parameters.AddWithValue("$n", record.EventName);
                insert.Parameters.AddWithValue("$src", record.EventSource);
                insert.Parameters.AddWithValue("$u", record.Username);
                insert.Parameters.AddWithValue("$k", record.AccessKeyId);
                insert.Parameters.AddWithValue("$r", record.ResourceName);
                insert.Parameters.AddWithValue("$ro", record.ReadOnly ? 1 : 0);
                insert.Parameters.AddWithValue("$rec", record.Record);
                insert.Parameters.AddWithValue("$p", record.PreviousHash);
                insert.Parameters.AddWithValue("$h", record.Hash);
                await insert.ExecuteNonQueryAsync();
            }
        }

        await using (var store = new SqliteStore(DatabasePath, durableSync: false))
        {
            await store.MigrateAsync(CancellationToken.None);
            var all = chains.SelectMany(c => c).ToList();
            foreach (var record in all)
            {
                var (found, _) = await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventId, record.EventId, 50, null), CancellationToken.None);
                Assert.Equal([record], found);
            }

            foreach (var key in new[] { KeyA, KeyB })
            {
                var expected = all.Where(r => r.ResourceName == key).OrderByDescending(r => r.EventTime).ThenByDescending(r => r.ChainId).ThenByDescending(r => r.Sequence).ToList();
                var found = new List<AuditRecord>();
                AuditCursor? after = null;
                do
                {
                    var (page, next) = await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.ResourceName, key, 2, after), CancellationToken.None);
                    found.AddRange(page);
                    after = next;
                }
                while (after is not null);

                Assert.Equal(expected, found);
            }

            foreach (var chain in chains)
            {
                var result = await AuditChain.VerifyAsync(chain[0].ChainId, store.ReadChainAsync(chain[0].ChainId, 0, CancellationToken.None), await store.GetChainHeadAsync(chain[0].ChainId, CancellationToken.None), CancellationToken.None);
                Assert.True(result.Intact, string.Join("; ", result.Problems));
                Assert.Equal(chain.Count, result.Records);
            }

            // Written after the migration, in the same seconds: found with the old ones.
            var more = Chain("c1", randomIds: false, from: chains[0][^1]);
            await store.AppendAsync("c1", more, CancellationToken.None);
            var (newest, _) = await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.ResourceName, KeyA, 100, null), CancellationToken.None);
            Assert.Equal(all.Concat(more).Count(r => r.ResourceName == KeyA), newest.Count);
        }
    }

    /// <summary>Six verifiable Encrypt records of keys A and B, two a second; random (version 4) event ids or version-7 ones of each event's time.</summary>
    private static List<AuditRecord> Chain(string chainId, bool randomIds, AuditRecord? from = null)
    {
        var records = new List<AuditRecord>();
        var previous = from?.Hash ?? AuditChain.Genesis;
        var first = (from?.Sequence ?? 0) + 1;
        for (var sequence = first; sequence < first + 6; sequence++)
        {
            var time = Now.AddMilliseconds(sequence * 500);
            var id = (randomIds ? Guid.NewGuid() : Guid.CreateVersion7(time)).ToString("D");
            var key = sequence % 3 == 0 ? KeyB : KeyA;
            var record = $$"""{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIDALICE","userName":"alice"},"eventTime":"{{time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}","eventSource":"kms.amazonaws.com","eventName":"Encrypt","awsRegion":"us-east-1","eventID":"{{id}}","readOnly":false,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"{{key}}"}],"eventType":"AwsApiCall","recipientAccountId":"111122223333"}""";
            var hash = AuditChain.Hash(previous, record);
            records.Add(new AuditRecord(chainId, sequence, id, time, Account, "Encrypt", "kms.amazonaws.com", "alice", "AKIDALICE", key, false, record, previous, hash));
            previous = hash;
        }

        return records;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
