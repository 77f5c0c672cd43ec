using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The audit journal's commits, each one prepared <c>INSERT</c> in autocommit on a connection kept for
/// them: one round trip and one transaction per commit. Through the pool, each commit also paid for
/// the reset of the connection it returned (a <c>DISCARD ALL</c>, a transaction of its own, sent with
/// the next statement) and for parsing and planning its <c>INSERT</c> again; every request with audit
/// on waits for one of these commits. The audit writer has a few under way at once, so a few
/// connections are kept (as many as were ever in use together). A commit that fails drops its
/// connection and the idle ones: after a lost connection or a restarted server the next commit
/// opens a new one. A connection unused for <see cref="IdleLimit"/> is closed rather than used, as
/// the pool prunes its idle ones: a firewall or the server may have ended it meanwhile.
/// </summary>
internal sealed class JournalCommits(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    /// <summary>
    /// Waits for the WAL flush even where the server's synchronous_commit is off (its requests are answered
    /// when it returns, and a crash of the server would otherwise lose acknowledged events); a stronger
    /// setting (remote_apply) stays. It takes the chain's lock shared for its transaction: the writer's
    /// claim is shared too, and a node deriving a chain it takes for dead holds it exclusively, so a
    /// commit never lands in a chain another node is deriving (no row: <see cref="AuditChainClaimedException"/>).
    /// </summary>
    private static readonly string Insert = $"""
        INSERT INTO audit_journal (chain_id, first_seq, last_seq, frames)
        SELECT @c, @f, @l, @b FROM (
            SELECT pg_try_advisory_xact_lock_shared({AdvisoryLocks.AuditChains}, hashtext(@c)) AS claimed,
                CASE WHEN current_setting('synchronous_commit') = 'off' THEN set_config('synchronous_commit', 'on', true) END AS durable) AS chain_lock
        WHERE chain_lock.claimed;
        """;

    private static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(1);

    private readonly ConcurrentQueue<Session> _idle = new();
    private volatile bool _disposed;

    /// <summary>Inserts one journal row and commits: durable (as synchronous_commit has it) when it returns.</summary>
    public async Task AppendAsync(string chainId, long firstSequence, long lastSequence, ReadOnlyMemory<byte> frames, CancellationToken ct)
    {
        var session = await TakeAsync(ct);
        try
        {
            session.Chain.TypedValue = chainId;
            session.First.TypedValue = firstSequence;
            session.Last.TypedValue = lastSequence;
            session.Frames.TypedValue = frames;
            var inserted = await session.Command.ExecuteNonQueryAsync(ct);
            session.Frames.TypedValue = default;
            if (inserted != 1)
            {
                throw new AuditChainClaimedException(chainId);
            }
        }
        catch
        {
            await session.DisposeAsync();
            while (_idle.TryDequeue(out var other))
            {
                await other.DisposeAsync();
            }

            throw;
        }

        session.LastUsed = TimeProvider.System.GetTimestamp();
        _idle.Enqueue(session);
        if (_disposed)
        {
            await DisposeAsync();
        }
    }

    /// <summary>An idle session used recently, or a new one.</summary>
    private async Task<Session> TakeAsync(CancellationToken ct)
    {
        while (_idle.TryDequeue(out var idle))
        {
            if (TimeProvider.System.GetElapsedTime(idle.LastUsed) < IdleLimit)
            {
                return idle;
            }

            await idle.DisposeAsync();
        }

        return await Session.OpenAsync(dataSource, ct);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryDequeue(out var session))
        {
            await session.DisposeAsync();
        }
    }

    /// <summary>A connection taken from the pool for journal commits, with the prepared <c>INSERT</c> and its parameters.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private Session(NpgsqlConnection connection)
        {
            Command = new NpgsqlCommand(Insert, connection);
            Command.Parameters.Add(Chain);
            Command.Parameters.Add(First);
            Command.Parameters.Add(Last);
            Command.Parameters.Add(Frames);
        }

        public NpgsqlCommand Command { get; }

        /// <summary>When its last commit returned (a <see cref="TimeProvider.GetTimestamp"/> timestamp).</summary>
        public long LastUsed { get; set; }

        public NpgsqlParameter<string> Chain { get; } = new("c", NpgsqlDbType.Text);

        public NpgsqlParameter<long> First { get; } = new("f", NpgsqlDbType.Bigint);

        public NpgsqlParameter<long> Last { get; } = new("l", NpgsqlDbType.Bigint);

        public NpgsqlParameter<ReadOnlyMemory<byte>> Frames { get; } = new("b", NpgsqlDbType.Bytea);

        public static async Task<Session> OpenAsync(NpgsqlDataSource dataSource, CancellationToken ct)
        {
            var connection = await dataSource.OpenConnectionAsync(ct);
            var session = new Session(connection);
            try
            {
                await session.Command.PrepareAsync(ct);
                return session;
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            var connection = Command.Connection;
            await Command.DisposeAsync();
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
