using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>DescribeKey: the key's metadata, in any state.</summary>
internal static class DescribeKeyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, DescribeKeyRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: true);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        var expiration = key.Value.Origin == Core.Keys.KeyOrigin.External
            ? Core.Keys.ImportRules.Expiration(key.Value, await ctx.Kms.Store.ListMaterialsAsync(key.Value.Id, ctx.Aborted))
            : default;
        KeyMetadataWriter.WriteResponse(ctx.Json, key.Value, expiration.Model, expiration.ValidTo);
        return null;
    }
}
