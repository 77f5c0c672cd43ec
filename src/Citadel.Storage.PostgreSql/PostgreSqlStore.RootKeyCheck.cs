namespace Citadel.Storage.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    public async Task<byte[]?> GetRootKeyCheckAsync(CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT sealed FROM root_key_check WHERE id = 1;");
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    public Task<StoreOutcome> PutRootKeyCheckAsync(byte[] check, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using var command = Command(connection, tx, "INSERT INTO root_key_check (id, sealed, created_at) VALUES (1, @s, @c) ON CONFLICT (id) DO NOTHING;");
            command.Parameters.AddWithValue("s", check);
            command.Parameters.AddWithValue("c", Timestamp(now));
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.AlreadyExists : StoreOutcome.Success;
        }, ct);
}
