using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Seal;
using Citadel.Storage.Sqlite;

namespace Citadel.Server.Tests.Iam;

/// <summary>A SQLite data directory with account 111122223333 and a root key file, for the IAM tests.</summary>
#pragma warning disable CA1001 // The seal is disposed in DisposeAsync (IAsyncLifetime).
public abstract class IamStoreTestBase : IAsyncLifetime
#pragma warning restore CA1001
{
    protected const string Account = "111122223333";

    protected static readonly Principal Root = new(Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-iam-" + Guid.NewGuid().ToString("N"));

    internal SqliteStore Store { get; private set; } = null!;

    internal AesGcmSeal Seal { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Store = new SqliteStore(Path.Combine(_directory, "citadel.db"));
        await Store.MigrateAsync(Ct);
        await Store.CreateAccountAsync(Account, DateTimeOffset.UnixEpoch, Ct);
        Seal = FileSeal.OpenOrCreate(Path.Combine(_directory, "root.key"), out _);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Seal.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
