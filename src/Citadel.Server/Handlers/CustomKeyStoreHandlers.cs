using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.CustomKeyStores;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// The custom key store operations, over <see cref="CustomKeyStoreService"/>: external key stores (XKS proxies) are
/// created, described, updated, connected, disconnected and deleted as in AWS KMS; a CloudHSM key store is refused as AWS
/// refuses a cluster it cannot find. These actions have no resource: identity policies authorize them (the pipeline).
/// The proxy credential's secret is never written back; the audit event records the proxy call a request made.
/// </summary>
internal static class CustomKeyStoreHandlers
{
    public static async ValueTask<Result<DescribeCustomKeyStoresResponse>> DescribeAsync(KmsRuntime kms, DescribeCustomKeyStoresRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var listed = await kms.CustomKeyStores.ListAsync(ExternalKeyStoreCiphertexts.StoreCaller(caller), r.CustomKeyStoreId, r.CustomKeyStoreName, ct);
        if (!listed.IsSuccess)
        {
            return listed.Error.Value;
        }

        var all = listed.Value;
        var after = Steps.DecodeMarker(r.Marker, id => all.Any(s => s.Id == id));
        if (!after.IsSuccess)
        {
            return after.Error.Value;
        }

        var page = all.Where(s => after.Value is null || string.CompareOrdinal(s.Id, after.Value) > 0).ToList();
        var limit = r.Limit ?? 1000;
        var truncated = page.Count > limit;
        if (truncated)
        {
            page.RemoveRange(limit, page.Count - limit);
        }

        return new DescribeCustomKeyStoresResponse(page, Steps.EncodeMarker(truncated ? page[^1].Id : null));
    }

    public static async ValueTask<Result<CreateCustomKeyStoreResponse>> CreateAsync(KmsRuntime kms, CustomKeyStoreSettingsRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var storeCaller = ExternalKeyStoreCiphertexts.StoreCaller(caller);
        var created = await kms.CustomKeyStores.CreateAsync(storeCaller, Settings(r, r.CustomKeyStoreName), ct);
        ExternalKeyStoreCiphertexts.Audit(caller, storeCaller);
        return created.IsSuccess ? new CreateCustomKeyStoreResponse(created.Value) : created.Error.Value;
    }

    public static ValueTask<Result<EmptyResponse>> UpdateAsync(KmsRuntime kms, CustomKeyStoreSettingsRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        AuditedAsync(caller, s => kms.CustomKeyStores.UpdateAsync(s, r.CustomKeyStoreId!, Settings(r, r.NewCustomKeyStoreName), ct));

    public static ValueTask<Result<EmptyResponse>> ConnectAsync(KmsRuntime kms, CustomKeyStoreIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        AuditedAsync(caller, s => kms.CustomKeyStores.ConnectAsync(s, r.CustomKeyStoreId!, ct));

    public static async ValueTask<Result<EmptyResponse>> DisconnectAsync(KmsRuntime kms, CustomKeyStoreIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless(await kms.CustomKeyStores.DisconnectAsync(ExternalKeyStoreCiphertexts.StoreCaller(caller), r.CustomKeyStoreId!, ct));

    public static async ValueTask<Result<EmptyResponse>> DeleteAsync(KmsRuntime kms, CustomKeyStoreIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless(await kms.CustomKeyStores.DeleteAsync(ExternalKeyStoreCiphertexts.StoreCaller(caller), r.CustomKeyStoreId!, ct));

    /// <summary>An operation that may call the proxy: its call, if it made one, goes into the audit event, whatever the outcome.</summary>
    private static async ValueTask<Result<EmptyResponse>> AuditedAsync(Caller caller, Func<StoreCaller, Task<KmsError?>> operation)
    {
        var storeCaller = ExternalKeyStoreCiphertexts.StoreCaller(caller);
        var error = await operation(storeCaller);
        ExternalKeyStoreCiphertexts.Audit(caller, storeCaller);
        return EmptyResponse.Unless(error);
    }

    private static CustomKeyStoreSettings Settings(CustomKeyStoreSettingsRequest r, string? name) => new(
        name,
        r.CustomKeyStoreType,
        r.CloudHsmClusterId,
        r.TrustAnchorCertificate,
        r.KeyStorePassword,
        r.XksProxyUriEndpoint,
        r.XksProxyUriPath,
        r.XksProxyVpcEndpointServiceName,
        r.XksProxyVpcEndpointServiceOwner,
        r.XksProxyAuthenticationCredential?.AccessKeyId,
        r.XksProxyAuthenticationCredential?.RawSecretAccessKey,
        r.XksProxyConnectivity);
}
