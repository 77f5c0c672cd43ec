using System.Diagnostics;
using Citadel.Core.Audit;
using Citadel.Server.Identity;
using Citadel.Storage;
using Citadel.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A trail of six events written by a real server, which then stops; each test edits a copy of its SQLite file
/// directly, as someone with access to the disk could.
/// </summary>
public sealed class TamperTrail : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "citadel-tamper-" + Guid.NewGuid().ToString("N"));

    /// <summary>The event ids by sequence number (index 0 is record 1).</summary>
    public List<string> EventIds { get; } = [];

    public async Task InitializeAsync()
    {
        var server = await CitadelServer.StartAsync(DataDirectory);
        try
        {
            using var kms = server.Client();
            var key = await kms.NewKeyAsync();
            for (var i = 0; i < 5; i++)
            {
                await kms.EncryptAsync(key.KeyId, [(byte)i]);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }

        await using var connection = Open(DataDirectory);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id FROM audit_events ORDER BY seq;";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            EventIds.Add(reader.GetString(0));
        }
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A copy of the data directory, for one test to tamper with.</summary>
    public string Copy()
    {
        var copy = DataDirectory + "-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories))
        {
            var copied = Path.Combine(copy, Path.GetRelativePath(DataDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copied)!);
            File.Copy(file, copied);
        }

        return copy;
    }

    /// <summary>
    /// Runs <paramref name="sql"/> on the SQLite file of <paramref name="dataDirectory"/> while no server holds it. The
    /// rows first get their records in place of the references to the journal segments that hold them, as someone
    /// rewriting the database may write them: a record in a row is read instead of the segment.
    /// </summary>
    public static int Execute(string dataDirectory, string sql)
    {
        using var connection = Open(dataDirectory);
        var references = new List<(long Sequence, string Segment, long Offset, int Length)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT seq, record FROM audit_events WHERE substr(record, 1, 1) = '@';";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                Assert.True(JournalRecordReference.TryParse(reader.GetString(1), out var segment, out var offset, out var length));
                references.Add((reader.GetInt64(0), segment, offset, length));
            }
        }

        foreach (var (sequence, segment, offset, length) in references)
        {
            var bytes = File.ReadAllBytes(Path.Combine(dataDirectory, JournalSegments.DirectoryName, segment + ".journal"));
            using var inline = connection.CreateCommand();
            inline.CommandText = "UPDATE audit_events SET record = $r WHERE seq = $s;";
            inline.Parameters.AddWithValue("$r", System.Text.Encoding.UTF8.GetString(bytes, (int)offset, length));
            inline.Parameters.AddWithValue("$s", sequence);
            inline.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>SQL that edits a record (its sequence number appended) so that it no longer matches its hash: an Encrypt becomes a Decrypt.</summary>
    public const string ChangeEncryptToDecrypt = "UPDATE audit_events SET record = replace(record, '\"eventName\":\"Encrypt\"', '\"eventName\":\"Decrypt\"') WHERE seq = ";

    public static SqliteConnection Open(string dataDirectory)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "citadel.db")};Pooling=False");
        connection.Open();
        return connection;
    }
}

[Trait("Issue", "4")]
public sealed class AuditTamperTests(TamperTrail trail) : IClassFixture<TamperTrail>, IDisposable
{
    private readonly string _copy = trail.Copy();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_copy, recursive: true);
    }

    [Fact]
    public async Task An_untouched_trail_verifies_intact()
    {
        var results = await VerifyAsync();

        var chain = Assert.Single(results);
        Assert.Equal("local", chain.ChainId);
        Assert.Equal(6, chain.Records);
        Assert.True(chain.Intact);
        Assert.Empty(chain.Problems);
    }

    [Fact]
    public async Task A_stored_event_whose_record_was_edited_is_reported_as_changed()
    {
        Execute("UPDATE audit_events SET record = replace(record, '\"eventName\":\"Encrypt\"', '\"eventName\":\"Decrypt\"') WHERE seq = 3;");

        var chain = Assert.Single(await VerifyAsync());

        Assert.False(chain.Intact);
        Assert.Equal([$"record 3 (event {trail.EventIds[2]}) was changed: its content does not match its hash"], chain.Problems);
    }

    [Fact]
    public async Task A_stored_event_edited_and_rehashed_breaks_the_link_of_the_next_one()
    {
        Execute("UPDATE audit_events SET record = replace(record, '\"eventName\":\"Encrypt\"', '\"eventName\":\"Decrypt\"') WHERE seq = 3;");
        using (var connection = TamperTrail.Open(_copy))
        {
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT prev_hash, record FROM audit_events WHERE seq = 3;";
            using var reader = read.ExecuteReader();
            reader.Read();
            var rehashed = AuditChain.Hash(reader.GetString(0), reader.GetString(1));
            reader.Close();
            using var write = connection.CreateCommand();
            write.CommandText = "UPDATE audit_events SET hash = $h WHERE seq = 3;";
            write.Parameters.AddWithValue("$h", rehashed);
            write.ExecuteNonQuery();
        }

        var chain = Assert.Single(await VerifyAsync());

        Assert.Equal([$"record 3 (event {trail.EventIds[2]}): column event_name holds 'Encrypt', but the hashed record says 'Decrypt'", "record 4 does not link to record 3"], chain.Problems);
    }

    [Fact]
    public async Task A_stored_event_deleted_from_the_middle_is_reported_missing()
    {
        Execute("DELETE FROM audit_events WHERE seq = 3;");

        var chain = Assert.Single(await VerifyAsync());

        Assert.False(chain.Intact);
        Assert.Equal(5, chain.Records);
        Assert.Equal(["record 3 is missing (removed)", "record 4 does not link to record 3"], chain.Problems);
    }

    [Fact]
    public async Task Stored_events_truncated_from_the_tail_are_reported_removed_from_the_end()
    {
        Execute("DELETE FROM audit_events WHERE seq >= 5;");

        var chain = Assert.Single(await VerifyAsync());

        Assert.False(chain.Intact);
        Assert.Equal(["the chain head is record 6, but the last record is 4: records 5–6 were removed from the end"], chain.Problems);
    }

    [Fact]
    public async Task Citadel_audit_verify_prints_what_was_changed_and_exits_with_1()
    {
        Execute("DELETE FROM audit_events WHERE seq = 2;");
        var cli = Path.Combine(AppContext.BaseDirectory, "citadel.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "audit", "verify", "--data-dir", _copy },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Equal(
            ["chain local: 5 records, BROKEN", "  record 2 is missing (removed)", "  record 3 does not link to record 2"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Citadel_audit_verify_finds_an_event_name_edited_beside_its_record_and_exits_with_1()
    {
        // LookupEvents filters on and returns the column, not the record: the edit would change its answers.
        Execute("UPDATE audit_events SET event_name = 'ListKeys' WHERE seq = 3;");

        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", _copy);

        Assert.Equal(1, verify.ExitCode);
        Assert.Equal(
            ["chain local: 6 records, BROKEN", $"  record 3 (event {trail.EventIds[2]}): column event_name holds 'ListKeys', but the hashed record says 'Encrypt'"],
            verify.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData("prev_hash = 'ab' || substr(prev_hash, 3)", "record 3 does not link to record 2")]
    [InlineData("hash = 'ab' || substr(hash, 3)", "record 3 (event {2}) was changed: its content does not match its hash")]
    public async Task A_chain_column_edited_alone_is_found_by_verify_naming_the_record(string assignment, string expected)
    {
        ExecuteOnRows($"UPDATE audit_events SET {assignment} WHERE seq = 3;");

        var chain = Assert.Single(await VerifyAsync());

        Assert.False(chain.Intact);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, trail.EventIds.Cast<object>().ToArray()), chain.Problems);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Two_rows_swapped_are_found_by_verify()
    {
        ExecuteOnRows("UPDATE audit_events SET seq = -3 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = 4; UPDATE audit_events SET seq = 4 WHERE seq = -3;");

        var chain = Assert.Single(await VerifyAsync());

        Assert.False(chain.Intact);
        Assert.Contains(chain.Problems, p => p.StartsWith("record 3 ", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_row_whose_segment_reference_names_another_record_is_found_by_verify()
    {
        // The reference of record 4 (a whole, valid record of the same segment) written into row 3.
        ExecuteOnRows("UPDATE audit_events SET record = (SELECT record FROM audit_events WHERE seq = 4) WHERE seq = 3;");

        var chain = Assert.Single(await VerifyAsync());

        Assert.False(chain.Intact);
        Assert.Contains($"record 3 (event {trail.EventIds[2]}) was changed: its content does not match its hash", chain.Problems);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_byte_changed_in_the_journal_segment_a_row_refers_to_is_found_by_verify_naming_the_record()
    {
        var (segment, offset, length) = Reference(3);
        var path = SegmentPath(segment);
        var bytes = await File.ReadAllBytesAsync(path);
        var at = (int)offset + (length / 2);
        bytes[at] = bytes[at] == (byte)'x' ? (byte)'y' : (byte)'x';
        await File.WriteAllBytesAsync(path, bytes);

        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", _copy);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"  record 3 (event {trail.EventIds[2]}) was changed: its content does not match its hash", verify.Output.Split('\n'));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_journal_segment_the_trail_refers_to_deleted_or_cut_short_is_found_by_verify_for_every_record_it_held(bool delete)
    {
        var (segment, offset, _) = Reference(3);
        var path = SegmentPath(segment);
        if (delete)
        {
            File.Delete(path);
        }
        else
        {
            using var file = File.Open(path, FileMode.Open);
            file.SetLength(offset + 10);
        }

        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", _copy);

        Assert.Equal(1, verify.ExitCode);
        var lines = verify.Output.Split('\n');
        Assert.Equal("chain local: 6 records, BROKEN", lines[0]);
        foreach (var sequence in delete ? [1, 2, 3, 4, 5, 6] : new[] { 3, 4, 5, 6 })
        {
            if (Reference(sequence).Segment == segment)
            {
                Assert.Contains(lines, l => l.StartsWith($"  record {sequence} (event {trail.EventIds[sequence - 1]})", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>Runs SQL on the rows as the server wrote them (records left in their journal segments).</summary>
    private void ExecuteOnRows(string sql)
    {
        using var connection = TamperTrail.Open(_copy);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(command.ExecuteNonQuery() > 0);
    }

    private (string Segment, long Offset, int Length) Reference(int sequence)
    {
        using var connection = TamperTrail.Open(_copy);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT record FROM audit_events WHERE seq = {sequence};";
        Assert.True(JournalRecordReference.TryParse((string)command.ExecuteScalar()!, out var segment, out var offset, out var length));
        return (segment, offset, length);
    }

    private string SegmentPath(string segment) => Path.Combine(_copy, JournalSegments.DirectoryName, segment + ".journal");

    private void Execute(string sql) => Assert.True(TamperTrail.Execute(_copy, sql) > 0);

    private async Task<IReadOnlyList<AuditChain.Verification>> VerifyAsync()
    {
        await using var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(_copy), null, CancellationToken.None);
        return await admin.Audit.VerifyAsync(CancellationToken.None);
    }
}
