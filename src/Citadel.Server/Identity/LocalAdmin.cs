using Citadel.Core.Crypto;
using Citadel.Storage;

namespace Citadel.Server.Identity;

/// <summary>Opens a data directory for administration without a running server (`citadel iam …`).</summary>
public sealed class LocalAdmin : IAsyncDisposable
{
    private readonly OpenedStore _opened;
    private readonly IStore _store;
    private readonly ISeal _seal;

    private LocalAdmin(OpenedStore opened, ISeal seal)
    {
        _opened = opened;
        _store = opened.Store;
        _seal = seal;
        Identities = new IdentityAdmin(_store, seal, TimeProvider.System);
        Explainer = new PolicyExplainer(_store, TimeProvider.System);
        Audit = new Audit.AuditTools(opened.Audit, opened.Journal);
        Xks = new Xks.XksAdmin(_store, seal, TimeProvider.System);
    }

    /// <summary>The logical XKS key stores (`citadel xks …`).</summary>
    public Xks.XksAdmin Xks { get; }

    public Audit.AuditTools Audit { get; }

    public IdentityAdmin Identities { get; }

    public PolicyExplainer Explainer { get; }

    internal IStore Store => _store;

    /// <summary>
    /// Opens the store of a deployment (<paramref name="storage"/> at <paramref name="location"/>: a SQLite
    /// data directory a server created, or a PostgreSQL database) with its root key file (or the PKCS#11 key
    /// given). Creates nothing: a folder that holds no Citadel database is refused, so a command run in the
    /// wrong folder says so instead of making a new data directory and root key there. It runs next to
    /// running servers (which notice identity changes within a second, or at once through NOTIFY), and the
    /// audit journals of a running server are locked and left to it. The root key file defaults to
    /// root.key in the location's data directory.
    /// </summary>
    public static async Task<LocalAdmin> OpenAsync(IStorageProvider storage, StorageLocation location, string? rootKeyFile, CancellationToken ct, Seal.Pkcs11SealOptions? pkcs11 = null, bool drainJournals = true)
    {
        var opened = storage.Open(location);
        ISeal? seal = null;
        try
        {
            await opened.Store.MigrateAsync(ct);
            (seal, _) = await Seal.RootKeyCheck.OpenAsync(opened.Store, opened.Location, location.DataDirectory, rootKeyFile, pkcs11, start: false, TimeProvider.System, ct);
            if (drainJournals)
            {
                // A server killed before its audit journal reached the store left events only there: move
                // them over first, so the tools see every event. Journals of a running server are locked and left to it.
                await Citadel.Server.Audit.AuditJournal.DrainAsync(Path.Combine(location.DataDirectory, JournalSegments.JournalDirectoryName), opened.Audit, ct);
            }

            return new LocalAdmin(opened, seal);
        }
        catch
        {
            (seal as IDisposable)?.Dispose();
            await opened.DisposeAsync();
            throw;
        }
    }

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
        await _opened.DisposeAsync();
        (_seal as IDisposable)?.Dispose();
    }
}
