using Citadel.Storage.Tests.StoreContract;
using Citadel.Tests.Postgres;
using Npgsql;

namespace Citadel.Storage.PostgreSql.Tests;

/// <summary>The store contract on a fresh schema per test, in the test process's private PostgreSQL server.</summary>
public sealed class PostgreSqlStoreContractTests : StoreContractTests
{
    private string? _connectionString;

    protected override async Task<IStore> CreateStoreAsync()
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = _connectionString = await server.CreateSchemaAsync();
        return new PostgreSqlStore(NpgsqlDataSource.Create(connectionString), ownsDataSource: true);
    }

    protected override async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var source = NpgsqlDataSource.Create(_connectionString!);
        await using var command = source.CreateCommand(sql);
        return await command.ExecuteNonQueryAsync();
    }
}
