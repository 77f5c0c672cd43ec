using System.Text;
using Citadel.Core.Errors;
using Citadel.Core.Policies;

namespace Citadel.Server.Kms;

/// <summary>
/// The checks a new key policy passes before it is stored (CreateKey, PutKeyPolicy): size, syntax,
/// principals that exist, and AWS's lockout safety check — the caller must still be allowed to
/// change the policy afterwards, unless BypassPolicyLockoutSafetyCheck is set.
/// </summary>
internal static class KeyPolicies
{
    /// <summary>AWS's key policy size limit: 32 KB.</summary>
    public const int MaxBytes = 32 * 1024;

    public static async ValueTask<KmsError?> CheckAsync(KmsRuntime kms, Caller caller, string document, bool bypassLockoutCheck, string keyArn, string keyAccount, CancellationToken ct)
    {
        if (Encoding.UTF8.GetByteCount(document) > MaxBytes)
        {
            return new KmsError(KmsErrorCode.LimitExceeded, $"The key policy is larger than the limit of {MaxBytes} bytes.");
        }

        var parsed = Policy.Parse(document, PolicyKind.KeyPolicy);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        if (await HasUnknownPrincipalAsync(kms, parsed.Value, ct))
        {
            return new KmsError(KmsErrorCode.MalformedPolicyDocument, "Policy contains a statement with one or more invalid principals.");
        }

        if (!bypassLockoutCheck && !await kms.Authorizer.PolicyKeepsCallerInControlAsync(caller, parsed.Value, keyArn, keyAccount, ct))
        {
            return new KmsError(KmsErrorCode.MalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future.");
        }

        return null;
    }

    /// <summary>A user or role ARN in an account this server hosts, that does not exist (AWS rejects those too).</summary>
    private static async ValueTask<bool> HasUnknownPrincipalAsync(KmsRuntime kms, Policy policy, CancellationToken ct)
    {
        IReadOnlyList<string>? accounts = null;
        foreach (var statement in policy.Statements)
        {
            if (statement.Principal is null)
            {
                continue;
            }

            foreach (var arn in statement.Principal.AwsArns)
            {
                var parts = arn.Split(':', 6);
                if (parts.Length != 6 || parts[2] != "iam" || parts[5] == "root")
                {
                    continue;
                }

                accounts ??= await kms.Store.ListAccountsAsync(ct);
                if (accounts.Contains(parts[4]) && await kms.Store.GetPrincipalAsync(arn, ct) is null)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
