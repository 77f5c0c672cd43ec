using Citadel.Core.CustomKeyStores;
using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>
/// Custom key stores and the KMS keys bound to them. A store's name is unique in its account and Region, and so is its
/// proxy address (endpoint + path); an external key (XksKeyId) backs at most one KMS key of a store.
/// </summary>
public interface ICustomKeyStoreStore
{
    Task<CustomKeyStoreRecord?> GetCustomKeyStoreAsync(string id, CancellationToken ct);

    /// <summary>Every custom key store of the account in the Region, ordered by id (AWS allows a handful per Region).</summary>
    Task<IReadOnlyList<CustomKeyStoreRecord>> ListCustomKeyStoresAsync(string accountId, string region, CancellationToken ct);

    /// <summary>AlreadyExists when the id, the name or the proxy address is taken in the account and Region.</summary>
    Task<StoreOutcome> CreateCustomKeyStoreAsync(CustomKeyStoreRecord store, CancellationToken ct);

    /// <summary>Writes <paramref name="store"/> if its row version is current: VersionConflict if not, NotFound if gone, AlreadyExists if its new name or address is taken.</summary>
    Task<StoreOutcome> UpdateCustomKeyStoreAsync(CustomKeyStoreRecord store, CancellationToken ct);

    /// <summary>Deletes the store unless a KMS key (in any state) is still bound to it (InUse); NotFound if gone.</summary>
    Task<StoreOutcome> DeleteCustomKeyStoreAsync(string id, CancellationToken ct);

    /// <summary>Creates a key in an external key store with its binding and material, in one transaction; AlreadyExists when the XksKeyId is taken in that store.</summary>
    Task<StoreOutcome> CreateExternalStoreKeyAsync(KeyRecord key, KeyMaterialRecord material, IReadOnlyList<Tag> tags, XksKeyBinding binding, CancellationToken ct);

    /// <summary>The binding of a key in an external key store, or null for any other key.</summary>
    Task<XksKeyBinding?> GetXksKeyBindingAsync(KeyId keyId, CancellationToken ct);
}
