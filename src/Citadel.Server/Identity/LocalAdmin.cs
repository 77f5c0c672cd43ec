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
        Explainer = new PolicyExplainer(store, TimeProvider.System);
        Audit = new Audit.AuditTools((IAuditStore)store);
        Xks = new Xks.XksAdmin(store, seal, TimeProvider.System);
    }

    /// <summary>The logical XKS key stores (`citadel xks …`).</summary>
    public Xks.XksAdmin Xks { get; }

    public Audit.AuditTools Audit { get; }

    public IdentityAdmin Identities { get; }

    public PolicyExplainer Explainer { get; }

    internal IStore Store => _store;

    /// <summary>
    /// Opens a SQLite data directory a server created, with its root key file (or the PKCS#11 key given).
    /// Creates nothing: a folder that holds no Citadel database is refused, so a command run in the wrong
    /// folder says so instead of making a new data directory and root key there. It runs next to a
    /// running server (which notices identity changes within a second): SQLite serializes their writes,
    /// and the audit journals of a running server are locked and left to it.
    /// </summary>
    public static async Task<LocalAdmin> OpenAsync(string dataDirectory, string? rootKeyFile, CancellationToken ct, Seal.Pkcs11SealOptions? pkcs11 = null, bool drainJournals = true)
    {
        var database = Path.GetFullPath(Path.Combine(dataDirectory, "citadel.db"));
        if (!File.Exists(database))
        {
            throw new InvalidOperationException($"no data directory at {Path.GetFullPath(dataDirectory)}: pass --data-dir or start a server first.");
        }

        var store = new SqliteStore(database);
        return await OpenStoreAsync(store, database, dataDirectory, rootKeyFile, pkcs11, null, drainJournals, ct);
    }

    /// <summary>Opens a PostgreSQL deployment's database; running nodes hear of every change through NOTIFY. The root key comes from <paramref name="dataDirectory"/> or the PKCS#11 key given.</summary>
    public static Task<LocalAdmin> OpenPostgresAsync(string connectionString, string dataDirectory, string? rootKeyFile, CancellationToken ct, Seal.Pkcs11SealOptions? pkcs11 = null, bool drainJournals = true)
    {
        var storage = Citadel.Storage.PostgreSql.PostgreSqlStorage.Create(connectionString, TimeSpan.FromSeconds(1), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        return OpenStoreAsync(storage.Store, Citadel.Storage.PostgreSql.PostgreSqlStorage.Describe(connectionString), dataDirectory, rootKeyFile, pkcs11, storage, drainJournals, ct);
    }

    /// <summary>Opens what a configuration file names: its seal, and its SQLite data directory or PostgreSQL database.</summary>
    public static Task<LocalAdmin> OpenFromConfigAsync(Hosting.ConfigFile config, CancellationToken ct, bool drainJournals = true) =>
        config.Storage == "postgres"
            ? OpenPostgresAsync(config.PostgresConnectionString ?? throw new InvalidOperationException("The configuration names PostgreSQL storage without a connection string."), config.DataDirectory, config.RootKeyFile, ct, config.Pkcs11, drainJournals)
            : OpenAsync(config.DataDirectory, config.RootKeyFile, ct, config.Pkcs11, drainJournals);

    /// <summary>Migrates, proves the root key against the store (never creating one), and drains dead servers' audit journals (unless <paramref name="drainJournals"/> is false: `citadel audit journal …` reads them itself).</summary>
    private static async Task<LocalAdmin> OpenStoreAsync(
        IStore store, string storeLocation, string dataDirectory, string? rootKeyFile, Seal.Pkcs11SealOptions? pkcs11, Citadel.Storage.PostgreSql.PostgreSqlStorage? owner, bool drainJournals, CancellationToken ct)
    {
        ISeal? seal = null;
        try
        {
            await store.MigrateAsync(ct);
            (seal, _) = await Seal.RootKeyCheck.OpenAsync(store, storeLocation, dataDirectory, rootKeyFile, pkcs11, start: false, TimeProvider.System, ct);
            if (drainJournals)
            {
                await DrainAuditJournalsAsync(dataDirectory, store, ct);
            }

            return new LocalAdmin(store, seal) { _owner = owner };
        }
        catch
        {
            (seal as IDisposable)?.Dispose();
            await store.DisposeAsync();
            if (owner is not null)
            {
                await owner.DisposeAsync();
            }

            throw;
        }
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
                foreach (var key in await _store.ListAccessKeyMetadataAsync(principal.Arn, ct))
                {
                    lines.Add(key.Status == Core.Identity.AccessKeyStatus.Active ? $"    access key {key.AccessKeyId}" : $"    access key {key.AccessKeyId} ({key.Status})");
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
