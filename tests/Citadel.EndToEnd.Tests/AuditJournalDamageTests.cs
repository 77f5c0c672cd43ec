using System.Text;
using Microsoft.Data.Sqlite;

namespace Citadel.EndToEnd.Tests;

/// <summary>A byte flipped in the middle of a server's audit journal, found at the next start and resolved with the CLI.</summary>
[Trait("Issue", "17")]
public sealed class AuditJournalDamageTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-journal-damage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_byte_flipped_in_the_middle_of_a_journal_stops_the_start_and_resolve_keeps_every_intact_event_and_records_the_gap()
    {
        await using var server = new ServerProcess(_dataDirectory);
        // One journal file, so that the damaged event has intact ones after it in the same file: with two stripes
        // the damaged frame may be the last of its file, which reads as a torn tail and becomes a recorded gap
        // (AuditJournalTests.Stripes.cs tests that case).
        server.Environment["CITADEL_Audit__JournalStripes"] = "1";
        await server.StartAsync();
        using (var kms = server.Client())
        {
            var key = await kms.NewKeyAsync();
            for (var i = 0; i < 6; i++)
            {
                await kms.EncryptAsync(key.KeyId, [(byte)i]);
            }
        }

        // LookupEvents waits for the trail to hold every event; then the kill leaves the journal behind.
        await CloudTrail.LookupAsync(server.Endpoint, CloudTrail.Attribute("EventName", "Encrypt"));
        server.Kill();

        // The store as a crash just after the third event left it: the rest are only in the journal.
        var eventIds = new List<string>();
        await using (var connection = TamperTrail.Open(_dataDirectory))
        {
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT event_id FROM audit_events WHERE chain_id = 'local' ORDER BY seq;";
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    eventIds.Add(reader.GetString(0));
                }
            }

            await using var trim = connection.CreateCommand();
            trim.CommandText = """
                UPDATE audit_chains SET head_seq = 3, head_hash = (SELECT hash FROM audit_events WHERE chain_id = 'local' AND seq = 3) WHERE chain_id = 'local';
                DELETE FROM audit_events WHERE chain_id = 'local' AND seq > 3;
                """;
            await trim.ExecuteNonQueryAsync();
        }

        var last = eventIds.Count;
        Assert.True(last >= 7, $"only {last} events were recorded");
        var journal = Directory.GetFiles(Path.Combine(_dataDirectory, "audit-journal"), "*.journal")
            .Single(path => File.ReadAllBytes(path).AsSpan().IndexOf(Encoding.UTF8.GetBytes(eventIds[3])) >= 0);
        var fourth = File.ReadAllBytes(journal).AsSpan().IndexOf(Encoding.UTF8.GetBytes(eventIds[3]));
        await using (var file = File.Open(journal, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = fourth + 100;
            var value = file.ReadByte();
            file.Position = fourth + 100;
            file.WriteByte((byte)(value ^ 0x20));
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(server.StartAsync);
        Assert.Equal("citadel serve exited with code 2 before it was ready.", refused.Message);
        var said = Assert.Single(server.Output, line => line.StartsWith("citadel serve: ", StringComparison.Ordinal));
        Assert.StartsWith($"citadel serve: the audit journal {journal} is damaged at byte ", said, StringComparison.Ordinal);
        Assert.Contains($": after event 3 (the last intact one before it) events 5–{last} follow intact, so event 4 would be lost. Nothing was moved or deleted", said, StringComparison.Ordinal);
        Assert.EndsWith($"`citadel audit journal resolve --data-dir {_dataDirectory}`.", said, StringComparison.Ordinal);

        var verifyBefore = await CliProcess.RunAsync("audit", "verify", "--data-dir", _dataDirectory);
        Assert.Equal(2, verifyBefore.ExitCode);
        Assert.StartsWith($"citadel audit: the audit journal {journal} is damaged at byte ", Assert.Single(verifyBefore.ErrorLines), StringComparison.Ordinal);

        var inspect = await CliProcess.RunAsync("audit", "journal", "inspect", "--data-dir", _dataDirectory);
        Assert.Equal(1, inspect.ExitCode);
        Assert.Contains($": after event 3, events 5–{last} follow intact; event 4 lost: run `citadel audit journal resolve`", inspect.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(journal));

        var resolve = await CliProcess.RunAsync("audit", "journal", "resolve", "--data-dir", _dataDirectory);
        Assert.Equal(0, resolve.ExitCode);
        Assert.True(File.Exists(journal + ".damaged"));
        Assert.False(File.Exists(journal));

        await server.StartAsync();
        var gaps = await CloudTrail.LookupAsync(server.Endpoint, CloudTrail.Attribute("EventName", "AuditGap"));
        var encrypts = await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "Encrypt"));
        server.Kill();

        Assert.Single(gaps.Events);
        Assert.Equal(eventIds.Skip(1).Where((_, i) => i != 2).Reverse(), encrypts.Select(e => e.GetProperty("EventId").GetString()));
        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", _dataDirectory);
        Assert.Equal(0, verify.ExitCode);
        var lines = verify.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"chain local: {last} records, intact", lines[0]);
        Assert.StartsWith($"  recorded gap: record 4 was lost: the audit journal {Path.GetFileName(journal)} was damaged at byte ", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task An_empty_journal_whose_header_was_damaged_is_set_aside_and_neither_the_start_nor_verify_stops_on_it()
    {
        await using var server = new ServerProcess(_dataDirectory);
        await server.StartAsync();
        using (var kms = server.Client())
        {
            await kms.NewKeyAsync();
        }

        await CloudTrail.LookupAsync(server.Endpoint, CloudTrail.Attribute("EventName", "CreateKey"));
        server.Kill();
        // A journal begun just before the crash holds its header and no event; its first byte is flipped.
        var spare = Path.Combine(_dataDirectory, "audit-journal", Guid.NewGuid().ToString("N") + ".journal");
        await File.WriteAllBytesAsync(spare, [.. "XTDLAUD1"u8, 5, 0, .. "local"u8]);

        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", _dataDirectory);
        await server.StartAsync();
        server.Kill();

        Assert.Equal((0, "chain local: 1 records, intact\n", ""), (verify.ExitCode, verify.Output, verify.Error));
        Assert.True(File.Exists(spare + ".damaged"));
        Assert.False(File.Exists(spare));
    }
    [Fact]
    public async Task A_sparse_file_of_terabytes_in_the_journal_directory_is_one_line_of_what_to_do_from_every_command_not_a_crash()
    {
        await using var server = new ServerProcess(_dataDirectory);
        await server.StartAsync();
        using (var kms = server.Client())
        {
            await kms.NewKeyAsync();
        }

        server.Kill();
        var journals = Path.Combine(_dataDirectory, "audit-journal");
        var huge = Path.Combine(journals, Guid.NewGuid().ToString("N") + ".journal");
        using (var file = File.Create(huge))
        {
            file.SetLength(1L << 40);
        }

        var inspect = await CliProcess.RunAsync("audit", "journal", "inspect", "--data-dir", _dataDirectory);
        var resolve = await CliProcess.RunAsync("audit", "journal", "resolve", "--data-dir", _dataDirectory);
        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", _dataDirectory);

        var said = $"the audit journal {huge} is 1099511627776 bytes, more than any journal Citadel writes (1073741824 at most), so it is not one or it is damaged; it was not read, and nothing was moved or deleted. Move it out of {journals} (keep it for forensics), then start again.";
        Assert.Equal(2, inspect.ExitCode);
        Assert.Equal([$"citadel audit journal inspect: {said}"], inspect.ErrorLines);
        Assert.Equal(2, resolve.ExitCode);
        Assert.Equal([$"citadel audit journal resolve: {said}"], resolve.ErrorLines);
        Assert.Equal(2, verify.ExitCode);
        Assert.Single(verify.ErrorLines);
        Assert.True(File.Exists(huge));
    }
}
