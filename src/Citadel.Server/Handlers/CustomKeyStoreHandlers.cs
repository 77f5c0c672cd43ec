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
        var listed = await kms.CustomKeyStores.ListAsync(caller, r.CustomKeyStoreId, r.CustomKeyStoreName, ct);
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
        var created = await kms.CustomKeyStores.CreateAsync(caller, Settings(r, r.CustomKeyStoreName), ct);
        return created.IsSuccess ? new CreateCustomKeyStoreResponse(created.Value) : created.Error.Value;
    }

    public static async ValueTask<Result<EmptyResponse>> UpdateAsync(KmsRuntime kms, CustomKeyStoreSettingsRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless(await kms.CustomKeyStores.UpdateAsync(caller, r.CustomKeyStoreId!, Settings(r, r.NewCustomKeyStoreName), ct));

    public static async ValueTask<Result<EmptyResponse>> ConnectAsync(KmsRuntime kms, CustomKeyStoreIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless(await kms.CustomKeyStores.ConnectAsync(caller, r.CustomKeyStoreId!, ct));

    public static async ValueTask<Result<EmptyResponse>> DisconnectAsync(KmsRuntime kms, CustomKeyStoreIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless(await kms.CustomKeyStores.DisconnectAsync(caller, r.CustomKeyStoreId!, ct));

    public static async ValueTask<Result<EmptyResponse>> DeleteAsync(KmsRuntime kms, CustomKeyStoreIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless(await kms.CustomKeyStores.DeleteAsync(caller, r.CustomKeyStoreId!, ct));

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
