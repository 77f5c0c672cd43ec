namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    public async Task<byte[]?> GetRootKeyCheckAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT sealed FROM root_key_check WHERE id = 1;");
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    public Task<StoreOutcome> PutRootKeyCheckAsync(byte[] check, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = Command(connection, tx, "INSERT OR IGNORE INTO root_key_check (id, sealed, created_at) VALUES (1, $s, $c);");
            command.Parameters.AddWithValue("$s", check);
            command.Parameters.AddWithValue("$c", ToUnixMs(now));
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.AlreadyExists : StoreOutcome.Success;
        }, ct);
}
