using Citadel.Core.Errors;
using Citadel.Server.Protocol;

namespace Citadel.Server.Handlers;

/// <summary>The policy name rules of GetKeyPolicy and PutKeyPolicy: KMS keys have one policy, named "default".</summary>
internal static class KeyPolicySteps
{
    public const string DefaultName = "default";

    public static void ValidatePolicyName(string? name, ref Validation v)
    {
        v.Length(name, "policyName", 1, 128);
        v.Pattern(name, "policyName", n => n.All(c => char.IsLetterOrDigit(c) || c == '_'), "[\\w]+");
    }

    public static KmsError? CheckPolicyName(string? name) =>
        name is null or DefaultName ? null : new KmsError(KmsErrorCode.NotFound, "No such policy exists");
}
