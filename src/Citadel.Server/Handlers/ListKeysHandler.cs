using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ListKeys: the keys of the caller's account in the request's region, paged by key id.</summary>
internal static class ListKeysHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListKeysRequest r, KeyRecord? none)
    {

        var after = Steps.DecodeMarker(r.Marker, text => KeyId.TryParseStoreKey(text, out _));
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var page = await ctx.Kms.Catalog.ListKeysAsync(ctx.Principal.AccountId, ctx.Region, r.Limit ?? 100, after.Value, ctx.Aborted);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("Keys"u8);
        foreach (var key in page.Items)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Id.ToString());
            json.WriteString("KeyArn"u8, key.Arn);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WritePaging(json, page.NextMarker);
        json.WriteEndObject();
        return null;
    }

    public static void WritePaging(System.Text.Json.Utf8JsonWriter json, string? nextSortKey)
    {
        if (nextSortKey is not null)
        {
            json.WriteString("NextMarker"u8, Steps.EncodeMarker(nextSortKey));
        }

        json.WriteBoolean("Truncated"u8, nextSortKey is not null);
    }
}
