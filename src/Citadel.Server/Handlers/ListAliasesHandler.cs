using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ListAliases: the aliases of the caller's account and region, or of one key; paged by name.</summary>
internal static class ListAliasesHandler
{
    public static void Validate(ListAliasesRequest r, ref Validation v)
    {
        v.Length(r.KeyId, "keyId", 1, 2048);
        Steps.ValidatePaging(r.Limit, r.Marker, ref v);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListAliasesRequest r)
    {
        if (await ctx.Kms.Authorizer.AuthorizeIdentityAsync(ctx, ctx.Operation.Action) is { } denied)
        {
            return denied;
        }

        KeyId? filter = null;
        if (r.KeyId is not null)
        {
            var key = await Steps.ResolveAsync(ctx, r.KeyId, allowAlias: false);
            if (!key.IsSuccess)
            {
                return key.Error;
            }

            filter = key.Value.Id;
        }

        var after = Steps.DecodeMarker(r.Marker, Aliases.IsWellFormed);
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        // AWS: Limit 1–100, default 50 (ListAliases API reference); larger values are capped.
        var page = await ctx.Kms.Store.ListAliasesAsync(ctx.Principal.AccountId, ctx.Region, filter, Math.Min(r.Limit ?? 50, 100), after.Value, ctx.Aborted);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("Aliases"u8);
        foreach (var alias in page.Items)
        {
            json.WriteStartObject();
            json.WriteString("AliasName"u8, alias.Name);
            json.WriteString("AliasArn"u8, alias.Arn);
            json.WriteString("TargetKeyId"u8, alias.TargetKeyId.ToString());
            json.WriteEpochSeconds("CreationDate"u8, alias.CreatedAt);
            json.WriteEpochSeconds("LastUpdatedDate"u8, alias.LastUpdatedAt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        ListKeysHandler.WritePaging(json, page.NextMarker);
        json.WriteEndObject();
        return null;
    }
}
