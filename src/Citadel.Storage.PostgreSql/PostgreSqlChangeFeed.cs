using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// LISTENs on the change channel over a dedicated connection and hands every committed change to
/// the sink. Two things cover what NOTIFY alone would miss: on every (re)connect the sink is told
/// <see cref="StoreChange.Everything"/> (changes made while nobody listened), and every
/// <c>backstopInterval</c> the change sequence is compared with the highest number notified — a
/// number that stays ahead for two checks means a lost notification, and the sink drops everything.
/// The check also proves the connection alive: a hung one times out and is replaced.
/// </summary>
internal sealed class PostgreSqlChangeFeed(NpgsqlDataSource dedicated, TimeSpan backstopInterval, ILogger logger, TimeProvider time, string channel = PostgreSqlChangeFeed.DefaultChannel) : IChangeFeed
{
    public const string DefaultChannel = "citadel_changes";

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(2);

    public async Task RunAsync(IChangeSink sink, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(sink, () => delay = TimeSpan.FromMilliseconds(100), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                logger.ChangeFeedDisconnected(exception, delay);
            }

            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
        }
    }

    private async Task ListenAsync(IChangeSink sink, Action connected, CancellationToken ct)
    {
        await using var connection = await dedicated.OpenConnectionAsync(ct);
        var notified = 0L;
        connection.Notification += (_, e) =>
        {
            var (sequence, changes) = ChangeMessage.Parse(e.Payload);
            notified = Math.Max(notified, sequence);
            foreach (var change in changes)
            {
                sink.OnChange(change);
            }
        };

        await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\";", connection))
        {
            await listen.ExecuteNonQueryAsync(ct);
        }

        // Listening from here on; whatever was committed before is unknown to our caches.
        notified = Math.Max(notified, await ReadSequenceAsync(connection, ct));
        sink.OnChange(StoreChange.Everything);
        connected();
        logger.ChangeFeedListening(channel);

        long? suspect = null;
        var lastCheck = time.GetTimestamp();
        while (true)
        {
            await connection.WaitAsync(backstopInterval, ct);
            if (time.GetElapsedTime(lastCheck) < backstopInterval)
            {
                continue;
            }

            lastCheck = time.GetTimestamp();
            var current = await ReadSequenceAsync(connection, ct);
            if (current <= notified)
            {
                suspect = null;
            }
            else if (suspect is { } seen && notified < seen)
            {
                // Ahead at the last check and still not notified: a notification was lost.
                logger.ChangeNotificationMissed(seen, notified);
                notified = current;
                suspect = null;
                sink.OnChange(StoreChange.Everything);
            }
            else
            {
                // Ahead now; its notification may simply be on its way. Look again next time.
                suspect = current;
            }
        }
    }

    private static async Task<long> ReadSequenceAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_sequence;", connection)
        {
            CommandTimeout = 5,
        };
        return await command.ExecuteScalarAsync(ct) is long value ? value : 0;
    }
}
