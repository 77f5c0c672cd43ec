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
    private const string Insert = "INSERT INTO audit_journal (chain_id, first_seq, last_seq, frames) VALUES (@c, @f, @l, @b);";

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
            await session.Command.ExecuteNonQueryAsync(ct);
            session.Frames.TypedValue = default;
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

        session.LastUsed = Environment.TickCount64;
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
            if (Environment.TickCount64 - idle.LastUsed < IdleLimit.TotalMilliseconds)
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

        /// <summary>When its last commit returned (<see cref="Environment.TickCount64"/>).</summary>
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
