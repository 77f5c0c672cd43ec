using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// The custom key store operations. The server has no custom key stores (neither CloudHSM nor external), so each answers
/// as AWS KMS answers a valid call in an account that has none — after authenticating, authorizing (identity policy
/// only: these actions have no resource) and validating like every other operation. Messages are the KMS API
/// reference's descriptions of the exceptions.
/// </summary>
internal static class CustomKeyStoreHandlers
{
    private static readonly KmsError NotFound = new(
        KmsErrorCode.CustomKeyStoreNotFound,
        "The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.");

    private static readonly KmsError ClusterNotFound = new(
        KmsErrorCode.CloudHsmClusterNotFound,
        "The request was rejected because KMS cannot find the CloudHSM cluster with the specified cluster ID. Retry the request with a different cluster ID.");

    private static readonly KmsError ProxyUnreachable = new(
        KmsErrorCode.XksProxyUriUnreachable,
        "KMS was unable to reach the specified XksProxyUriPath. The path must be reachable before you create the external key store or update its settings.");

    /// <summary>DescribeCustomKeyStores: none exist, so the list is empty and any named store is not found.</summary>
    public static ValueTask<KmsError?> DescribeAsync(RequestContext ctx, DescribeCustomKeyStoresRequest r, KeyRecord? key) => ValueTask.FromResult(Describe(ctx, r));

    private static KmsError? Describe(RequestContext ctx, DescribeCustomKeyStoresRequest r)
    {
        if (r.CustomKeyStoreId is not null || r.CustomKeyStoreName is not null)
        {
            return NotFound;
        }

        // No page was ever handed out, so no marker is one of ours.
        var after = Steps.DecodeMarker(r.Marker, _ => false);
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("CustomKeyStores"u8);
        json.WriteEndArray();
        json.WriteBoolean("Truncated"u8, false);
        json.WriteEndObject();
        return null;
    }

    /// <summary>ConnectCustomKeyStore, DisconnectCustomKeyStore, DeleteCustomKeyStore: the store does not exist.</summary>
    public static ValueTask<KmsError?> ByIdAsync(RequestContext ctx, CustomKeyStoreIdRequest r, KeyRecord? key) => ValueTask.FromResult<KmsError?>(NotFound);

    /// <summary>
    /// CreateCustomKeyStore: a CloudHSM store names a cluster this server cannot have; an external store names a proxy it
    /// will not call. Nothing is created.
    /// </summary>
    public static ValueTask<KmsError?> CreateAsync(RequestContext ctx, CustomKeyStoreSettingsRequest r, KeyRecord? key) =>
        ValueTask.FromResult<KmsError?>(r.CustomKeyStoreType == "EXTERNAL_KEY_STORE" ? ProxyUnreachable : ClusterNotFound);

    /// <summary>UpdateCustomKeyStore: the store does not exist.</summary>
    public static ValueTask<KmsError?> UpdateAsync(RequestContext ctx, CustomKeyStoreSettingsRequest r, KeyRecord? key) => ValueTask.FromResult<KmsError?>(NotFound);
}
