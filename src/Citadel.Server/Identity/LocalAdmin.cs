using Citadel.Core.Crypto;
using Citadel.Storage;
using Citadel.Storage.Sqlite;

namespace Citadel.Server.Identity;

/// <summary>Opens a data directory for administration without a running server (`citadel iam …`).</summary>
public sealed class LocalAdmin : IAsyncDisposable
{
    private readonly IStore _store;
    private readonly ISeal _seal;

    private LocalAdmin(IStore store, ISeal seal)
    {
        _store = store;
        _seal = seal;
        Identities = new IdentityAdmin(store, seal, TimeProvider.System);
        Explainer = new PolicyExplainer(store);
        Audit = new Audit.AuditTools((IAuditStore)store);
    }

    public Audit.AuditTools Audit { get; }

    public IdentityAdmin Identities { get; }

    public PolicyExplainer Explainer { get; }

    internal IStore Store => _store;

    public static Task<LocalAdmin> OpenAsync(string dataDirectory, string? rootKeyFile, CancellationToken ct) =>
        OpenWithSealAsync(dataDirectory, Seal.SealFactory.Open(dataDirectory, rootKeyFile, null, out _), ct);

    /// <summary>Opens with the seal a configuration file names (a key file or a PKCS#11 token).</summary>
    public static async Task<LocalAdmin> OpenWithSealAsync(string dataDirectory, ISeal seal, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        var store = new SqliteStore(Path.Combine(dataDirectory, "citadel.db"));
        await store.MigrateAsync(ct);
        await DrainAuditJournalsAsync(dataDirectory, store, ct);
        return new LocalAdmin(store, seal);
    }

    /// <summary>Opens a PostgreSQL deployment's database; running nodes hear of every change through NOTIFY.</summary>
    public static async Task<LocalAdmin> OpenPostgresAsync(string connectionString, ISeal seal, CancellationToken ct)
    {
        var storage = Citadel.Storage.PostgreSql.PostgreSqlStorage.Create(connectionString, TimeSpan.FromSeconds(1), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await storage.Store.MigrateAsync(ct);
        return new LocalAdmin(storage.Store, seal) { _owner = storage };
    }

    /// <summary>Opens what a configuration file names: its seal, and its SQLite data directory or PostgreSQL database.</summary>
    public static Task<LocalAdmin> OpenFromConfigAsync(Hosting.ConfigFile config, CancellationToken ct)
    {
        var seal = Seal.SealFactory.Open(config.DataDirectory, config.RootKeyFile, config.Pkcs11, out _);
        return config.Storage == "postgres"
            ? OpenPostgresFromConfigAsync(config, seal, ct)
            : OpenWithSealAsync(config.DataDirectory, seal, ct);
    }

    private static async Task<LocalAdmin> OpenPostgresFromConfigAsync(Hosting.ConfigFile config, ISeal seal, CancellationToken ct)
    {
        var admin = await OpenPostgresAsync(config.PostgresConnectionString ?? throw new InvalidOperationException("The configuration names PostgreSQL storage without a connection string."), seal, ct);
        await DrainAuditJournalsAsync(config.DataDirectory, admin._store, ct);
        return admin;
    }

    /// <summary>
    /// A server killed before its audit journal reached the store left events only there: move them
    /// over first, so the tools see every event. Journals of a running server are locked and left to it.
    /// </summary>
    private static Task<long> DrainAuditJournalsAsync(string dataDirectory, IStore store, CancellationToken ct) =>
        Citadel.Server.Audit.AuditJournal.DrainAsync(Path.Combine(dataDirectory, "audit-journal"), (IAuditStore)store, ct);

    private Citadel.Storage.PostgreSql.PostgreSqlStorage? _owner;

    public async Task<IReadOnlyList<string>> DescribeAsync(string? accountId, CancellationToken ct)
    {
        var lines = new List<string>();
        var accounts = accountId is null ? await _store.ListAccountsAsync(ct) : [accountId];
        foreach (var account in accounts)
        {
            lines.Add($"account {account}");
            foreach (var principal in await _store.ListPrincipalsAsync(account, ct))
            {
                lines.Add($"  {principal.Arn}  ({principal.Type}, id {principal.PrincipalId})");
                foreach (var key in await _store.ListAccessKeysAsync(principal.Arn, ct))
                {
                    lines.Add($"    access key {key.AccessKeyId}");
                }

                foreach (var policy in await _store.ListIdentityPoliciesAsync(principal.Arn, ct))
                {
                    lines.Add($"    policy {policy.Name}");
                }
            }
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        if (_owner is not null)
        {
            await _owner.DisposeAsync();
        }

        (_seal as IDisposable)?.Dispose();
    }
}
