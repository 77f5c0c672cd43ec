using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Core.Grants;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ListGrants: the grants of a key, oldest first, optionally one grant id or one grantee.</summary>
internal static class ListGrantsHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListGrantsRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        if (r.GrantId is not null && !GrantTokens.IsGrantId(r.GrantId))
        {
            return new KmsError(KmsErrorCode.InvalidGrantId, $"Invalid grant ID {r.GrantId}");
        }

        var after = Steps.DecodeMarker(r.Marker, GrantTokens.IsGrantId);
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var grants = await ctx.Kms.Grants.ListAsync(key.Id, ctx.Aborted);
        var matching = grants
            .Where(g => (r.GrantId is null || g.GrantId == r.GrantId) && (r.GranteePrincipal is null || g.GranteePrincipal == r.GranteePrincipal))
            .ToList();
        var start = after.Value is null ? 0 : matching.FindIndex(g => g.GrantId == after.Value) + 1;

        // AWS: Limit 1–100, default 50 (ListGrants API reference); larger values are capped.
        var limit = Math.Min(r.Limit ?? 50, 100);
        var page = matching.Skip(start).Take(limit).ToList();
        var truncated = start + page.Count < matching.Count;
        var json = ctx.Json;
        json.WriteStartObject();
        GrantSteps.WriteGrants(json, page, _ => key.Arn);
        ListKeysHandler.WritePaging(json, truncated ? page[^1].GrantId : null);
        json.WriteEndObject();
        return null;
    }
}
