using Citadel.Core.Crypto;
using Citadel.Server.Audit;
using Citadel.Server.Authorization;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>The shared services every handler uses.</summary>
internal sealed class KmsRuntime(IStore store, KeyRepository keys, MaterialCache materials, ISeal seal, TimeProvider time, KmsOptions options, Authorizer authorizer, IAuditStore audit, ServiceCatalog services, ManagedKeyFactory managedKeys, GrantRepository grants, AliasRepository aliases)
{
    public IStore Store { get; } = store;

    public KeyRepository Keys { get; } = keys;

    public MaterialCache Materials { get; } = materials;

    public ISeal Seal { get; } = seal;

    /// <summary>The clock of key rules (deletion windows, rotation). A development server can advance it.</summary>
    public TimeProvider Time { get; } = time;

    public KmsOptions Options { get; } = options;

    public Authorizer Authorizer { get; } = authorizer;

    /// <summary>Grant reads and writes; a write drops the key's cached grants through the change path.</summary>
    public GrantRepository Grants { get; } = grants;

    /// <summary>Alias reads and writes; a write drops the cached alias through the change path.</summary>
    public AliasRepository Aliases { get; } = aliases;

    /// <summary>Listings of keys, material versions and tags.</summary>
    public KeyCatalog Catalog { get; } = new(store);

    /// <summary>The audit trail's lookups, for LookupEvents and GetKeyLastUsage.</summary>
    public AuditTrail Audit { get; } = new(audit);

    /// <summary>LookupEvents' NextTokens, made and checked under a key derived from the root key.</summary>
    public LookupTokens LookupTokens { get; } = new(seal);

    /// <summary>Integrated services with AWS managed keys.</summary>
    public ServiceCatalog Services { get; } = services;

    public ManagedKeyFactory ManagedKeys { get; } = managedKeys;

    /// <summary>Records the service's own events that requests set off (SynchronizeMultiRegionKey).</summary>
    public required ServiceEventRecorder ServiceAudit { get; init; }

    /// <summary>Custom key stores and the keys of external key stores (the host sets its configured one).</summary>
    public CustomKeyStores.CustomKeyStoreService CustomKeyStores { get; init; } =
        new(store, seal, TimeProvider.System, new CustomKeyStores.XksClient(new CustomKeyStores.CustomKeyStoreOptions(), TimeProvider.System), new CustomKeyStores.CustomKeyStoreOptions().MaxStoresPerRegion);
}
