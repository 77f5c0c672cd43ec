using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;

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

    /// <summary>DeleteAlias: the name.</summary>
    public static KmsError? AdmitName(Caller caller, AliasRequest r) => CheckName(r.AliasName!);

    /// <summary>CreateAlias: the name, and a target that is a key (by key id or key ARN), not an alias.</summary>
    public static KmsError? AdmitTarget(Caller caller, AliasRequest r)
    {
        if (CheckName(r.AliasName!) is { } invalid)
        {
            return invalid;
        }

        return CheckTargetIsKey(r.TargetKeyId!);
    }

    public static KmsError? CheckTargetIsKey(string target)
    {
        return target.StartsWith("alias/", StringComparison.Ordinal) || target.Contains(":alias/", StringComparison.Ordinal)
            ? Errors.Validation("Aliases must refer to keys. Not aliases")
            : null;
    }

    /// <summary>The key an alias is to point at must be in the caller's account (its state the pipeline checks next).</summary>
    public static KmsError? CheckTargetAccount(Caller caller, AliasRequest r, KeyRecord? key) =>
        key!.AccountId != caller.Principal.AccountId ? Errors.KeyNotFound(key.Arn) : null;

    /// <summary>The alias's ARN in the caller's account and region: what the alias operations authorize by identity policies.</summary>
    public static string AliasArn(Caller caller, AliasRequest r) => Arns.Alias(caller.Region, caller.Principal.AccountId, r.AliasName!);
}
