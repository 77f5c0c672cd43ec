using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>ListAliases: the aliases of the caller's account and region, or of one key; paged by name.</summary>
internal static class ListAliasesHandler
{
    public static async ValueTask<Result<ListAliasesResponse>> ListAliasesAsync(KmsRuntime kms, ListAliasesRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var filter = key?.Id;

        var after = Steps.DecodeMarker(r.Marker, Aliases.IsWellFormed);
        if (!after.IsSuccess)
        {
            return after.Error.Value;
        }

        // AWS: Limit 1–100, default 50 (ListAliases API reference); larger values are capped.
        var limit = Math.Min(r.Limit ?? 50, 100);
        var entries = await EntriesAsync(kms, caller, filter, ct);
        var page = entries.Where(e => after.Value is null || string.CompareOrdinal(e.Name, after.Value) > 0).Take(limit + 1).ToList();
        var truncated = page.Count > limit;
        if (truncated)
        {
            page.RemoveAt(page.Count - 1);
        }

        var aliases = page.ConvertAll(e => (e.Name, Arns.Alias(caller.Region, caller.Principal.AccountId, e.Name), e.Alias));
        return new ListAliasesResponse(aliases, Steps.EncodeMarker(truncated ? page[^1].Name : null));
    }

    /// <summary>
    /// The account's aliases in this region, by name; without a key filter, the predefined
    /// alias/aws/&lt;service&gt; aliases too, without a target until their AWS managed key exists.
    /// </summary>
    private static async Task<List<(string Name, AliasRecord? Alias)>> EntriesAsync(KmsRuntime kms, Caller caller, KeyId? filter, CancellationToken ct)
    {
        var stored = await kms.Aliases.ListAsync(caller.Principal.AccountId, caller.Region, filter, 100_000, null, ct);
        var entries = stored.Items.Select(a => (a.Name, (AliasRecord?)a)).ToList();
        if (filter is null)
        {
            var present = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var service in await kms.Services.AllAsync(ct))
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
