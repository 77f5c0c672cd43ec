namespace Citadel.Storage;

/// <summary>
/// The store contract: the union of the aggregates' contracts (<see cref="IKeyStore"/>,
/// <see cref="IKeyMaterialStore"/>, <see cref="IAliasStore"/>, <see cref="IGrantStore"/>,
/// <see cref="IIdentityStore"/>, <see cref="IRootKeyStore"/>), each registered on its own (see
/// <see cref="StoreServices"/>), so a component can ask for the one it needs. Every method that changes
/// state is one transaction. The audit trail (<see cref="IAuditStore"/>) and monitoring counts
/// (<see cref="IStoreStatistics"/>) are contracts of their own.
/// </summary>
public interface IStore : IKeyStore, IKeyMaterialStore, IAliasStore, IGrantStore, IIdentityStore, IRoleStore, IIamEntityStore, IRootKeyStore, ICustomKeyStoreStore, IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema. Idempotent; run at start.</summary>
    Task MigrateAsync(CancellationToken ct);
}
