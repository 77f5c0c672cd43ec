using System.Text.RegularExpressions;
using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// ReplicateKey and UpdatePrimaryRegion. The server makes only single-Region keys, so after resolving the key (key id or
/// key ARN) and authorizing the action on it, each answers as AWS does for a single-Region key: UnsupportedOperationException.
/// </summary>
internal static partial class MultiRegionHandlers
{
    private const string RegionPattern = "^([a-z]+-){2,3}\\d+$";

    public static void ValidateReplicate(MultiRegionRequest r, ref Validation v)
    {
        Steps.ValidateKeyId(r.KeyId, "keyId", ref v);
        ValidateRegion(r.ReplicaRegion, "replicaRegion", ref v);
        v.Length(r.Policy, "policy", 1, 131072);
        v.Length(r.Description, "description", 0, 8192);
        Steps.ValidateTags(r.Tags, ref v);
    }

    public static void ValidateUpdatePrimary(MultiRegionRequest r, ref Validation v)
    {
        Steps.ValidateKeyId(r.KeyId, "keyId", ref v);
        ValidateRegion(r.PrimaryRegion, "primaryRegion", ref v);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, MultiRegionRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        return key.IsSuccess
            ? new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Value.Arn} is not a multi-Region key.")
            : key.Error;
    }

    private static void ValidateRegion(string? region, string member, ref Validation v)
    {
        v.Required(region, member);
        v.Length(region, member, 1, 32);
        v.Pattern(region, member, s => Region().IsMatch(s), RegionPattern);
    }

    [GeneratedRegex(RegionPattern, RegexOptions.CultureInvariant)]
    private static partial Regex Region();
}
