using Npgsql;

namespace Citadel.Storage.PostgreSql.Tests;

/// <summary>
/// The audit journal's commits on the connections kept for them (<see cref="JournalCommits"/>): each
/// commit is durable when it returns, several run at once, and a connection that broke or a commit that
/// failed takes nothing else down: the next commit runs on a new connection.
/// </summary>
[Trait("Issue", "17")]
public sealed class JournalCommitsTests : PostgresTestBase
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _application = "journal-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Commits_one_after_another_reuse_one_session_and_commits_at_once_each_get_their_own()
    {
        var store = NewNamedStore();
        await store.AppendJournalAsync("c1", 1, 2, Frames(1), Ct);
        var first = await SessionsAsync();
        for (var sequence = 3L; sequence < 13; sequence += 2)
        {
            await store.AppendJournalAsync("c1", sequence, sequence + 1, Frames(sequence), Ct);
        }

        Assert.Equal(first, await SessionsAsync());
        Assert.Single(first);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => store.AppendJournalAsync("c2", 1 + (i * 10), 10 + (i * 10), Frames(i), Ct)));

        Assert.InRange((await SessionsAsync()).Count, 1, 3);
        Assert.Equal(
            [("c1", 1L, 2L), ("c1", 3L, 4L), ("c1", 5L, 6L), ("c1", 7L, 8L), ("c1", 9L, 10L), ("c1", 11L, 12L), ("c2", 1L, 10L), ("c2", 11L, 20L), ("c2", 21L, 30L)],
            await RowsAsync());
        Assert.Equal(Frames(7), (await store.ReadJournalAsync("c1", 6, Ct)).Single(r => r.FirstSequence == 7).Frames);
    }

    [Fact]
    public async Task After_its_session_was_ended_one_commit_fails_and_the_next_commits_on_a_new_session()
    {
        var store = NewNamedStore();
        await store.AppendJournalAsync("c1", 1, 1, Frames(1), Ct);
        var before = Assert.Single(await SessionsAsync());

        await TerminateAsync(_application);
        await Assert.ThrowsAnyAsync<Exception>(() => store.AppendJournalAsync("c1", 2, 2, Frames(2), Ct));
        await store.AppendJournalAsync("c1", 2, 2, Frames(2), Ct);

        // The ended session leaves pg_stat_activity as its process exits.
        for (var waited = 0; (await SessionsAsync()).Contains(before) && waited < 100; waited++)
        {
            await Task.Delay(50);
        }

        Assert.NotEqual(before, Assert.Single(await SessionsAsync()));
        Assert.Equal([("c1", 1L, 1L), ("c1", 2L, 2L)], await RowsAsync());
    }

    [Fact]
    public async Task A_commit_the_database_refuses_commits_nothing_and_the_next_commit_succeeds()
    {
        var store = NewNamedStore();
        await store.AppendJournalAsync("c1", 1, 1, Frames(1), Ct);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => store.AppendJournalAsync("c1", 1, 3, Frames(3), Ct));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        await store.AppendJournalAsync("c1", 2, 3, Frames(2), Ct);

        Assert.Equal([("c1", 1L, 1L), ("c1", 2L, 3L)], await RowsAsync());
        Assert.Equal(Frames(1), (await store.ReadJournalAsync("c1", 0, Ct))[0].Frames);
    }

    /// <summary>A store whose sessions carry this test's application name, so the test can find and end them.</summary>
    private PostgreSqlStore NewNamedStore() => NewStore(ConnectionString + $";Application Name={_application}");

    private static byte[] Frames(long seed) => Enumerable.Range(0, 3000).Select(i => (byte)((i * 7) + seed)).ToArray();

    /// <summary>The backend process ids of this test's sessions.</summary>
    private async Task<List<int>> SessionsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = @a ORDER BY pid;", connection);
        command.Parameters.AddWithValue("a", _application);
        await using var reader = await command.ExecuteReaderAsync();
        var pids = new List<int>();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }

    private async Task<List<(string, long, long)>> RowsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT chain_id, first_seq, last_seq FROM audit_journal ORDER BY chain_id, first_seq;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, long, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return rows;
    }
}
