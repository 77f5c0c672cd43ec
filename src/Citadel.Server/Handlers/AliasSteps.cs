using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Handlers;

/// <summary>Validation and checks shared by CreateAlias, UpdateAlias and DeleteAlias.</summary>
internal static class AliasSteps
{
    /// <summary>Rules beyond the model: the alias/ prefix, and the alias/aws/ namespace reserved for AWS managed keys.</summary>
    public static KmsError? CheckName(string name)
    {
        if (!name.StartsWith(Aliases.Prefix, StringComparison.Ordinal) || name.Length == Aliases.Prefix.Length)
        {
            return Errors.Validation("Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
        }

        if (Aliases.IsReserved(name))
        {
            return new KmsError(KmsErrorCode.NotAuthorized, $"{name} is reserved: aliases that begin with alias/aws/ belong to AWS managed keys.");
        }

        return null;
    }

    /// <summary>The key an alias is to point at: by key id or key ARN only, in the caller's account, not pending deletion.</summary>
    public static async ValueTask<Result<KeyRecord>> ResolveTargetAsync(RequestContext ctx, string targetKeyId)
    {
        if (targetKeyId.StartsWith("alias/", StringComparison.Ordinal) || targetKeyId.Contains(":alias/", StringComparison.Ordinal))
        {
            return Errors.Validation("Aliases must refer to keys. Not aliases");
        }

        var key = await Steps.ResolveAsync(ctx, targetKeyId, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key;
        }

        if (key.Value.AccountId != ctx.Principal.AccountId)
        {
            return Errors.KeyNotFound(key.Value.Arn);
        }

        return KeyStateRules.CheckManageable(key.Value) is { } stateError ? stateError : key;
    }
}
