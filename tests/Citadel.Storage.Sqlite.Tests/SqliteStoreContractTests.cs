using Citadel.Storage.Tests.StoreContract;

namespace Citadel.Storage.Sqlite.Tests;

/// <summary>The store contract on a SQLite database in a fresh temporary file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-store-").FullName;

    // durableSync: false, since a crash of a test run loses nothing worth keeping; it keeps the suite fast.
    protected override Task<IStore> CreateStoreAsync() => Task.FromResult<IStore>(new SqliteStore(Path.Combine(_directory, "citadel.db"), durableSync: false));

    protected override async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "citadel.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
