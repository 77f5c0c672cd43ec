using Citadel.Core.Keys;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore : IStoreStatistics
{
    public async Task<IReadOnlyList<KeyCount>> CountKeysAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT state, manager, COUNT(*) FROM keys GROUP BY state, manager ORDER BY state, manager;");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new List<KeyCount>();
        while (await reader.ReadAsync(ct))
        {
            counts.Add(new KeyCount((KeyState)reader.GetInt32(0), (KeyManager)reader.GetInt32(1), reader.GetInt64(2)));
        }

        return counts;
    }
}
