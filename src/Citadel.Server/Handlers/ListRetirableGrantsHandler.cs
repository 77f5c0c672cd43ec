using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ListRetirableGrants: grants in this region whose retiring principal is the given one.</summary>
internal static class ListRetirableGrantsHandler
{
    /// <summary>
    /// The authorized resource is the retiring principal, which must be of the caller's account
    /// (ListRetirableGrants API reference, "Cross-account use"); a service principal has no account.
    /// </summary>
    public static (string Resource, string? Account) Resource(Caller caller, ListRetirableGrantsRequest r)
    {
        var principal = r.RetiringPrincipal!;
        return (principal, principal.Split(':') is [_, _, _, _, { Length: 12 } owner, ..] ? owner : null);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListRetirableGrantsRequest r, KeyRecord? none)
    {

        var after = Steps.DecodeMarker(r.Marker, GrantTokens.IsGrantId);
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var grants = new List<(GrantRecord Grant, KeyRecord Key)>();
        foreach (var grant in await ctx.Kms.Grants.ListByRetiringPrincipalAsync(r.RetiringPrincipal!, ctx.Aborted))
        {
            if (await ctx.Kms.Keys.GetAsync(grant.KeyId, ctx.Aborted) is { } key && key.Region == ctx.Region)
            {
                grants.Add((grant, key));
            }
        }

        var start = after.Value is null ? 0 : grants.FindIndex(g => g.Grant.GrantId == after.Value) + 1;
        var limit = Math.Min(r.Limit ?? 50, 100);
        var page = grants.Skip(start).Take(limit).ToList();
        var truncated = start + page.Count < grants.Count;
        var arns = page.ToDictionary(p => p.Grant.GrantId, p => p.Key.Arn);
        var json = ctx.Json;
        json.WriteStartObject();
        GrantSteps.WriteGrants(json, page.Select(p => p.Grant), g => arns[g.GrantId]);
        ListKeysHandler.WritePaging(json, truncated ? page[^1].Grant.GrantId : null);
        json.WriteEndObject();
        return null;
    }
}
