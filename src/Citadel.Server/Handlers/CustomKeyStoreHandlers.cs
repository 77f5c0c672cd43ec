using Citadel.Core.CustomKeyStores;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.CustomKeyStores;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// The custom key store operations, over <see cref="CustomKeyStoreService"/>: external key stores (XKS proxies) are
/// created, described, updated, connected, disconnected and deleted as in AWS KMS; a CloudHSM key store is refused as AWS
/// refuses a cluster it cannot find. These actions have no resource: identity policies authorize them (the pipeline).
/// The proxy credential's secret is never written back; the audit event records the proxy call a request made.
/// </summary>
internal static class CustomKeyStoreHandlers
{
    private static StoreCaller Caller(RequestContext ctx) => ExternalKeyStoreCiphertexts.StoreCaller(ctx.Caller);

    private static KmsError? Audited(RequestContext ctx, StoreCaller caller, KmsError? error)
    {
        ExternalKeyStoreCiphertexts.Audit(ctx.Caller, caller);
        return error;
    }

    public static async ValueTask<KmsError?> DescribeAsync(RequestContext ctx, DescribeCustomKeyStoresRequest r, KeyRecord? key)
    {
        var listed = await ctx.Kms.CustomKeyStores.ListAsync(Caller(ctx), r.CustomKeyStoreId, r.CustomKeyStoreName, ctx.Aborted);
        if (!listed.IsSuccess)
        {
            return listed.Error;
        }

        var all = listed.Value;
        var after = Steps.DecodeMarker(r.Marker, id => all.Any(s => s.Id == id));
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var page = all.Where(s => after.Value is null || string.CompareOrdinal(s.Id, after.Value) > 0).ToList();
        var limit = r.Limit ?? 1000;
        var truncated = page.Count > limit;
        if (truncated)
        {
            page.RemoveRange(limit, page.Count - limit);
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("CustomKeyStores"u8);
        foreach (var store in page)
        {
            WriteStore(json, store);
        }

        json.WriteEndArray();
        if (truncated)
        {
            json.WriteString("NextMarker"u8, Steps.EncodeMarker(page[^1].Id));
        }

        json.WriteBoolean("Truncated"u8, truncated);
        json.WriteEndObject();
        return null;
    }

    public static async ValueTask<KmsError?> CreateAsync(RequestContext ctx, CustomKeyStoreSettingsRequest r, KeyRecord? key)
    {
        var caller = Caller(ctx);
        var created = await ctx.Kms.CustomKeyStores.CreateAsync(caller, Settings(r, r.CustomKeyStoreName), ctx.Aborted);
        if (!created.IsSuccess)
        {
            return Audited(ctx, caller, created.Error);
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("CustomKeyStoreId"u8, created.Value);
        json.WriteEndObject();
        return Audited(ctx, caller, null);
    }

    public static async ValueTask<KmsError?> UpdateAsync(RequestContext ctx, CustomKeyStoreSettingsRequest r, KeyRecord? key)
    {
        var caller = Caller(ctx);
        return Audited(ctx, caller, await EmptyUnlessFailedAsync(ctx, ctx.Kms.CustomKeyStores.UpdateAsync(caller, r.CustomKeyStoreId!, Settings(r, r.NewCustomKeyStoreName), ctx.Aborted)));
    }

    public static async ValueTask<KmsError?> ConnectAsync(RequestContext ctx, CustomKeyStoreIdRequest r, KeyRecord? key)
    {
        var caller = Caller(ctx);
        return Audited(ctx, caller, await EmptyUnlessFailedAsync(ctx, ctx.Kms.CustomKeyStores.ConnectAsync(caller, r.CustomKeyStoreId!, ctx.Aborted)));
    }

    public static ValueTask<KmsError?> DisconnectAsync(RequestContext ctx, CustomKeyStoreIdRequest r, KeyRecord? key) =>
        EmptyUnlessFailedAsync(ctx, ctx.Kms.CustomKeyStores.DisconnectAsync(Caller(ctx), r.CustomKeyStoreId!, ctx.Aborted));

    public static ValueTask<KmsError?> DeleteAsync(RequestContext ctx, CustomKeyStoreIdRequest r, KeyRecord? key) =>
        EmptyUnlessFailedAsync(ctx, ctx.Kms.CustomKeyStores.DeleteAsync(Caller(ctx), r.CustomKeyStoreId!, ctx.Aborted));

    /// <summary>The operations whose response is an empty structure.</summary>
    private static async ValueTask<KmsError?> EmptyUnlessFailedAsync(RequestContext ctx, Task<KmsError?> operation)
    {
        if (await operation is { } error)
        {
            return error;
        }

        ctx.Json.WriteStartObject();
        ctx.Json.WriteEndObject();
        return null;
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

    /// <summary>CustomKeyStoresListEntry: the credential's access key id, never its secret.</summary>
    private static void WriteStore(System.Text.Json.Utf8JsonWriter json, CustomKeyStoreRecord store)
    {
        json.WriteStartObject();
        json.WriteString("CustomKeyStoreId"u8, store.Id);
        json.WriteString("CustomKeyStoreName"u8, store.Name);
        json.WriteString("ConnectionState"u8, CustomKeyStoreNames.Of(store.State));
        if (store.State == KeyStoreConnectionState.Failed && store.ErrorCode is { } code)
        {
            json.WriteString("ConnectionErrorCode"u8, CustomKeyStoreNames.Of(code));
        }

        json.WriteEpochSeconds("CreationDate"u8, store.CreatedAt);
        json.WriteString("CustomKeyStoreType"u8, CustomKeyStoreNames.Of(store.Type));
        json.WriteStartObject("XksProxyConfiguration"u8);
        json.WriteString("Connectivity"u8, CustomKeyStoreNames.Of(store.Connectivity));
        json.WriteString("AccessKeyId"u8, store.AccessKeyId);
        json.WriteString("UriEndpoint"u8, store.UriEndpoint);
        json.WriteString("UriPath"u8, store.UriPath);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
