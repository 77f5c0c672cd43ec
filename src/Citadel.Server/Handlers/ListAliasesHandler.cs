using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ListAliases: the aliases of the caller's account and region, or of one key; paged by name.</summary>
internal static class ListAliasesHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListAliasesRequest r, KeyRecord? key)
    {
        var filter = key?.Id;

        var after = Steps.DecodeMarker(r.Marker, Aliases.IsWellFormed);
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        // AWS: Limit 1–100, default 50 (ListAliases API reference); larger values are capped.
        var limit = Math.Min(r.Limit ?? 50, 100);
        var entries = await EntriesAsync(ctx, filter);
        var page = entries.Where(e => after.Value is null || string.CompareOrdinal(e.Name, after.Value) > 0).Take(limit + 1).ToList();
        var truncated = page.Count > limit;
        if (truncated)
        {
            page.RemoveAt(page.Count - 1);
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("Aliases"u8);
        foreach (var (name, alias) in page)
        {
            json.WriteStartObject();
            json.WriteString("AliasName"u8, name);
            json.WriteString("AliasArn"u8, Arns.Alias(ctx.Region, ctx.Principal.AccountId, name));
            if (alias is not null)
            {
                json.WriteString("TargetKeyId"u8, alias.TargetKeyId.ToString());
                json.WriteEpochSeconds("CreationDate"u8, alias.CreatedAt);
                json.WriteEpochSeconds("LastUpdatedDate"u8, alias.LastUpdatedAt);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        ListKeysHandler.WritePaging(json, truncated ? page[^1].Name : null);
        json.WriteEndObject();
        return null;
    }

    /// <summary>
    /// The account's aliases in this region, by name; without a key filter, the predefined
    /// alias/aws/&lt;service&gt; aliases too, without a target until their AWS managed key exists.
    /// </summary>
    private static async Task<List<(string Name, AliasRecord? Alias)>> EntriesAsync(RequestContext ctx, KeyId? filter)
    {
        var stored = await ctx.Kms.Aliases.ListAsync(ctx.Principal.AccountId, ctx.Region, filter, 100_000, null, ctx.Aborted);
        var entries = stored.Items.Select(a => (a.Name, (AliasRecord?)a)).ToList();
        if (filter is null)
        {
            var present = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var service in await ctx.Kms.Services.AllAsync(ctx.Aborted))
            {
                if (present.Add(service.AliasName))
                {
                    entries.Add((service.AliasName, null));
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }
}
