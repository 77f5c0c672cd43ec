using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>DescribeKey: the key's metadata, in any state.</summary>
internal static class DescribeKeyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, DescribeKeyRequest r, KeyRecord? described)
    {
        var key = described!;
        var expiration = key.Origin == Core.Keys.KeyOrigin.External
            ? Core.Keys.ImportRules.Expiration(key, await ctx.Kms.Catalog.ListMaterialsAsync(key.Id, ctx.Aborted))
            : default;
        var binding = await ctx.Kms.CustomKeyStores.BindingAsync(key, ctx.Aborted);
        KeyMetadataWriter.WriteResponse(ctx.Json, key, expiration.Model, expiration.ValidTo, binding);
        return null;
    }
}
