using Citadel.Core.Errors;

namespace Citadel.Server.Handlers;

/// <summary>The policy name rules of GetKeyPolicy and PutKeyPolicy: KMS keys have one policy, named "default".</summary>
internal static class KeyPolicySteps
{
    public const string DefaultName = "default";

    public static KmsError? CheckPolicyName(string? name) =>
        name is null or DefaultName ? null : new KmsError(KmsErrorCode.NotFound, "No such policy exists");
}
