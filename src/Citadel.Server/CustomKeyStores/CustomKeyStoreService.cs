using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Core.CustomKeyStores;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Storage;

namespace Citadel.Server.CustomKeyStores;

/// <summary>
/// Custom key stores (CreateCustomKeyStore … DisconnectCustomKeyStore) and the keys of external key stores: their creation
/// against the proxy's key metadata, and double encryption through the proxy. Rules and messages are AWS's (the KMS API
/// reference and the XKS proxy API specification). The server has no CloudHSM clusters: a CloudHSM store is refused as AWS
/// refuses a cluster it cannot find.
/// </summary>
internal sealed partial class CustomKeyStoreService(ICustomKeyStoreStore stores, ISeal seal, TimeProvider time, XksClient proxies, int maxStoresPerRegion)
{
    private const string ExternalType = "EXTERNAL_KEY_STORE";

    private static readonly KmsError NotFound = new(
        KmsErrorCode.CustomKeyStoreNotFound,
        "The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.");

    private static readonly KmsError ClusterNotFound = new(
        KmsErrorCode.CloudHsmClusterNotFound,
        "The request was rejected because KMS cannot find the CloudHSM cluster with the specified cluster ID. Retry the request with a different cluster ID.");

    private static readonly KmsError NameInUse = new(
        KmsErrorCode.CustomKeyStoreNameInUse,
        "The request was rejected because the specified custom key store name is already assigned to another custom key store in the account. Try again with a custom key store name that is unique in the account.");

    private static readonly KmsError UriInUse = new(
        KmsErrorCode.XksProxyUriInUse,
        "The request was rejected because the concatenation of the XksProxyUriEndpoint and XksProxyUriPath is already associated with another external key store in this Amazon Web Services Region. Each external key store in a Region must use a unique external key store proxy API address.");

    private static readonly KmsError VpcEndpointServiceNotFound = new(
        KmsErrorCode.XksProxyVpcEndpointServiceNotFound,
        "The request was rejected because KMS could not find the specified VPC endpoint service. Use DescribeCustomKeyStores to verify the VPC endpoint service name for the external key store. Also, confirm that the Allow principals list for the VPC endpoint service includes the KMS service principal for the Region, such as cks.kms.us-east-1.amazonaws.com.");

    /// <summary>The unsealed proxy secret of each store, with the row version it was read at (a changed credential is a new row version).</summary>
    private readonly ConcurrentDictionary<string, (long Version, byte[] Secret)> _secrets = new();

    /// <summary>Bindings never change while their key exists, so they are kept once read.</summary>
    private readonly ConcurrentDictionary<KeyId, XksKeyBinding> _bindings = new();

    public static KmsError InvalidState(string message) => new(KmsErrorCode.CustomKeyStoreInvalidState, message);

    // CreateCustomKeyStore

    public async Task<Result<string>> CreateAsync(Caller caller, CustomKeyStoreSettings settings, CancellationToken ct)
    {
        if ((settings.Type ?? "AWS_CLOUDHSM") != ExternalType)
        {
            // A CloudHSM key store needs a CloudHSM cluster, and this server can reach none.
            return settings.NamesProxy || settings.NamesCredential
                ? Errors.Validation("XksProxy parameters are valid only for a custom key store of type EXTERNAL_KEY_STORE.")
                : ClusterNotFound;
        }

        if (CheckExternalSettings(settings, creating: true) is { } invalid)
        {
            return invalid;
        }

        var existing = await stores.ListCustomKeyStoresAsync(caller.AccountId, caller.Region, ct);
        if (existing.Any(s => s.Name == settings.Name))
        {
            return NameInUse;
        }

        if (existing.Any(s => s.UriEndpoint == settings.UriEndpoint && s.UriPath == settings.UriPath))
        {
            return UriInUse;
        }

        if (existing.Count >= maxStoresPerRegion)
        {
            return new KmsError(KmsErrorCode.LimitExceeded, $"The request was rejected because the account already has {maxStoresPerRegion} custom key stores in this Region, the most it can have.");
        }

        if (settings.Connectivity == "VPC_ENDPOINT_SERVICE")
        {
            // The server is not in an Amazon VPC: there is no endpoint service it could find (docs/external-key-stores.md).
            return VpcEndpointServiceNotFound;
        }

        var id = NewId();
        var secret = Encoding.UTF8.GetBytes(settings.RawSecretAccessKey!);
        try
        {
            var health = await proxies.HealthAsync(new XksTarget(settings.UriEndpoint!, settings.UriPath!, settings.AccessKeyId!, secret, caller.Region), Metadata(caller), ct);
            caller.AdditionalEventData = ProxyCallJson(id, null, "health", health.HttpStatus, health.Failure);
            if (!health.IsSuccess)
            {
                return XksErrors.For(XksCaller.StoreSettings, health.Failure);
            }

            var record = new CustomKeyStoreRecord
            {
                Id = id,
                AccountId = caller.AccountId,
                Region = caller.Region,
                Name = settings.Name!,
                CreatedAt = time.GetUtcNow(),
                Type = CustomKeyStoreType.ExternalKeyStore,
                State = KeyStoreConnectionState.Disconnected,
                Connectivity = XksProxyConnectivity.PublicEndpoint,
                UriEndpoint = settings.UriEndpoint!,
                UriPath = settings.UriPath!,
                AccessKeyId = settings.AccessKeyId!,
                SealedSecret = SealSecret(id, secret),
            };
            return await stores.CreateCustomKeyStoreAsync(record, ct) switch
            {
                StoreOutcome.Success => id,

                // A concurrent create took the name or the address between the check and the write.
                _ => NameInUse,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    // DescribeCustomKeyStores

    /// <summary>The caller's stores in the Region, by id or name if given (CustomKeyStoreNotFound when none matches).</summary>
    public async Task<Result<IReadOnlyList<CustomKeyStoreRecord>>> ListAsync(Caller caller, string? id, string? name, CancellationToken ct)
    {
        var all = await stores.ListCustomKeyStoresAsync(caller.AccountId, caller.Region, ct);
        if (id is null && name is null)
        {
            return Result(all);
        }

        var matching = all.Where(s => (id is null || s.Id == id) && (name is null || s.Name == name)).ToList();
        return matching.Count == 0 ? NotFound : Result(matching);
    }

    // UpdateCustomKeyStore

    public async Task<KmsError?> UpdateAsync(Caller caller, string id, CustomKeyStoreSettings settings, CancellationToken ct)
    {
        var store = await FindAsync(caller, id, ct);
        if (store is null)
        {
            return NotFound;
        }

        if (settings.NamesCloudHsm)
        {
            return ClusterNotFound;
        }

        if (CheckExternalSettings(settings, creating: false) is { } invalid)
        {
            return invalid;
        }

        // AWS: only the name and the proxy credential may change while the store is not DISCONNECTED.
        if (settings.NamesProxy && store.State != KeyStoreConnectionState.Disconnected)
        {
            return InvalidState($"Custom key store {id} is {CustomKeyStoreNames.Of(store.State)}. Disconnect it before you change its XksProxyUriEndpoint, XksProxyUriPath or XksProxyConnectivity; only its name and XksProxyAuthenticationCredential can change while it is connected.");
        }

        if (settings.Connectivity == "VPC_ENDPOINT_SERVICE")
        {
            return VpcEndpointServiceNotFound;
        }

        var others = (await stores.ListCustomKeyStoresAsync(caller.AccountId, caller.Region, ct)).Where(s => s.Id != id).ToList();
        var updated = store with
        {
            Name = settings.Name ?? store.Name,
            UriEndpoint = settings.UriEndpoint ?? store.UriEndpoint,
            UriPath = settings.UriPath ?? store.UriPath,
            AccessKeyId = settings.AccessKeyId ?? store.AccessKeyId,
        };
        if (others.Any(s => s.Name == updated.Name))
        {
            return NameInUse;
        }

        if (others.Any(s => s.UriEndpoint == updated.UriEndpoint && s.UriPath == updated.UriPath))
        {
            return UriInUse;
        }

        if (settings.NamesProxy || settings.NamesCredential)
        {
            var secret = settings.RawSecretAccessKey is { } raw ? Encoding.UTF8.GetBytes(raw) : UnsealSecret(store).ToArray();
            try
            {
                var health = await proxies.HealthAsync(new XksTarget(updated.UriEndpoint, updated.UriPath, updated.AccessKeyId, secret, store.Region), Metadata(caller), ct);
                caller.AdditionalEventData = ProxyCallJson(id, null, "health", health.HttpStatus, health.Failure);
                if (!health.IsSuccess)
                {
                    return XksErrors.For(XksCaller.StoreSettings, health.Failure);
                }

                updated = updated with { SealedSecret = SealSecret(id, secret) };
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }

        return await stores.UpdateCustomKeyStoreAsync(updated, ct) switch
        {
            StoreOutcome.Success => null,
            StoreOutcome.NotFound => NotFound,
            StoreOutcome.AlreadyExists => NameInUse,
            _ => new KmsError(KmsErrorCode.Internal, "The custom key store changed while it was being updated. Try again."),
        };
    }

    // ConnectCustomKeyStore, DisconnectCustomKeyStore, DeleteCustomKeyStore

    /// <summary>
    /// Connects: CONNECTING while the proxy's health is asked, then CONNECTED, or FAILED with its ConnectionErrorCode. As with
    /// AWS, the operation succeeds either way; DescribeCustomKeyStores shows the outcome.
    /// </summary>
    public async Task<KmsError?> ConnectAsync(Caller caller, string id, CancellationToken ct)
    {
        var store = await FindAsync(caller, id, ct);
        if (store is null)
        {
            return NotFound;
        }

        if (store.State is KeyStoreConnectionState.Disconnecting or KeyStoreConnectionState.Failed)
        {
            return InvalidState($"Custom key store {id} is {CustomKeyStoreNames.Of(store.State)}. To connect a custom key store that is FAILED, disconnect it (DisconnectCustomKeyStore), then connect it.");
        }

        if (store.State is KeyStoreConnectionState.Connected or KeyStoreConnectionState.Connecting)
        {
            return null;
        }

        var connecting = store with { State = KeyStoreConnectionState.Connecting, ErrorCode = null };
        if (await stores.UpdateCustomKeyStoreAsync(connecting, ct) != StoreOutcome.Success)
        {
            return InvalidState($"Custom key store {id} changed while it was being connected. Try again.");
        }

        connecting = connecting with { RowVersion = connecting.RowVersion + 1 };
        var secret = UnsealSecret(store);
        var health = await proxies.HealthAsync(new XksTarget(store.UriEndpoint, store.UriPath, store.AccessKeyId, secret, store.Region), Metadata(caller), ct);
        caller.AdditionalEventData = ProxyCallJson(id, null, "health", health.HttpStatus, health.Failure);
        var outcome = health.IsSuccess
            ? connecting with { State = KeyStoreConnectionState.Connected }
            : connecting with { State = KeyStoreConnectionState.Failed, ErrorCode = XksErrors.ConnectionError(health.Failure) };

        // CancellationToken.None: a caller gone mid-connect must not leave the store CONNECTING.
        await stores.UpdateCustomKeyStoreAsync(outcome, CancellationToken.None);
        return null;
    }

    public async Task<KmsError?> DisconnectAsync(Caller caller, string id, CancellationToken ct)
    {
        var store = await FindAsync(caller, id, ct);
        if (store is null)
        {
            return NotFound;
        }

        if (store.State is KeyStoreConnectionState.Disconnecting or KeyStoreConnectionState.Disconnected)
        {
            return InvalidState($"Custom key store {id} is {CustomKeyStoreNames.Of(store.State)}. DisconnectCustomKeyStore is valid only for a custom key store that is not DISCONNECTING or DISCONNECTED.");
        }

        return await stores.UpdateCustomKeyStoreAsync(store with { State = KeyStoreConnectionState.Disconnected, ErrorCode = null }, ct) == StoreOutcome.Success
            ? null
            : InvalidState($"Custom key store {id} changed while it was being disconnected. Try again.");
    }

    public async Task<KmsError?> DeleteAsync(Caller caller, string id, CancellationToken ct)
    {
        var store = await FindAsync(caller, id, ct);
        if (store is null)
        {
            return NotFound;
        }

        if (store.State != KeyStoreConnectionState.Disconnected)
        {
            return InvalidState($"Custom key store {id} is {CustomKeyStoreNames.Of(store.State)}. Disconnect it (DisconnectCustomKeyStore) before you delete it.");
        }

        var deleted = await stores.DeleteCustomKeyStoreAsync(id, ct);
        if (deleted == StoreOutcome.Success)
        {
            _secrets.TryRemove(id, out _);
            return null;
        }

        return deleted == StoreOutcome.InUse
            ? new KmsError(
                KmsErrorCode.CustomKeyStoreHasCmks,
                "The request was rejected because the custom key store contains KMS keys. After verifying that you do not need to use the KMS keys, use the ScheduleKeyDeletion operation to delete the KMS keys. After they are deleted, you can delete the custom key store.")
            : NotFound;
    }

    // Helpers

    private async Task<CustomKeyStoreRecord?> FindAsync(Caller caller, string id, CancellationToken ct) =>
        await stores.GetCustomKeyStoreAsync(id, ct) is { } store && store.AccountId == caller.AccountId && store.Region == caller.Region ? store : null;

    /// <summary>The rules of an external key store's settings that the model's shapes cannot state.</summary>
    private static KmsError? CheckExternalSettings(CustomKeyStoreSettings settings, bool creating)
    {
        if (settings.NamesCloudHsm)
        {
            return Errors.Validation("CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword are valid only for a custom key store of type AWS_CLOUDHSM.");
        }

        if (creating)
        {
            foreach (var (value, member) in (ReadOnlySpan<(string?, string)>)[
                (settings.Connectivity, "XksProxyConnectivity"),
                (settings.UriEndpoint, "XksProxyUriEndpoint"),
                (settings.UriPath, "XksProxyUriPath"),
                (settings.AccessKeyId, "XksProxyAuthenticationCredential")])
            {
                if (value is null)
                {
                    return Errors.Validation($"{member} is required for a custom key store of type EXTERNAL_KEY_STORE.");
                }
            }
        }

        if (settings.NamesCredential && (settings.AccessKeyId is null || settings.RawSecretAccessKey is null))
        {
            return Errors.Validation("XksProxyAuthenticationCredential needs both AccessKeyId and RawSecretAccessKey.");
        }

        var vpc = settings.Connectivity == "VPC_ENDPOINT_SERVICE";
        if (settings.Connectivity is not null && vpc != (settings.VpcEndpointServiceName is not null))
        {
            return Errors.Validation(vpc
                ? "XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE."
                : "XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.");
        }

        return null;
    }

    private static Result<IReadOnlyList<CustomKeyStoreRecord>> Result(IReadOnlyList<CustomKeyStoreRecord> stores) => new(stores);

    private static XksRequestMetadata Metadata(Caller caller, string? keyArn = null) =>
        new(caller.OperationName, caller.RequestId, caller.Principal.Arn, keyArn);

    /// <summary>cks- and 17 lower-case hexadecimal digits, the shape of AWS's ids.</summary>
    private static string NewId()
    {
        Span<byte> random = stackalloc byte[9];
        RandomNumberGenerator.Fill(random);
        return "cks-" + Convert.ToHexStringLower(random)[..17];
    }

    private byte[] SealSecret(string id, byte[] secret) => seal.Seal(secret, AssociatedData(id));

    /// <summary>
    /// The store's secret, kept in memory as access key secrets are: one per store, unsealed again when the row changed (the
    /// copy it replaces is not wiped, as a request may still be signing with it) and dropped when the store is deleted.
    /// </summary>
    private byte[] UnsealSecret(CustomKeyStoreRecord store)
    {
        if (_secrets.TryGetValue(store.Id, out var known) && known.Version == store.RowVersion)
        {
            return known.Secret;
        }

        var secret = seal.Unseal(store.SealedSecret, AssociatedData(store.Id));
        _secrets[store.Id] = (store.RowVersion, secret);
        return secret;
    }

    internal static byte[] AssociatedData(string storeId) => Encoding.UTF8.GetBytes($"citadel/xks-proxy-secret/v1\n{storeId}");

    /// <summary>The audit event's additionalEventData for a proxy call: the store, the external key, the call and how it ended (never a secret).</summary>
    private static string ProxyCallJson(string storeId, string? xksKeyId, string operation, int status, XksFailure failure)
    {
        var builder = new StringBuilder(160);
        builder.Append(CultureInfo.InvariantCulture, $"{{\"customKeyStoreId\":\"{storeId}\"");
        if (xksKeyId is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"xksKeyId\":\"{xksKeyId}\"");
        }

        builder.Append(CultureInfo.InvariantCulture, $",\"xksProxyOperation\":\"{operation}\",\"xksProxyHttpStatus\":{status}");
        if (failure != XksFailure.None)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"xksProxyError\":\"{failure}\"");
        }

        return builder.Append('}').ToString();
    }
}
