namespace Citadel.Core.Policies;

/// <summary>How a statement's principal matched a caller.</summary>
public enum PrincipalMatch
{
    /// <summary>The statement does not apply to this caller.</summary>
    None,

    /// <summary>The statement names the caller (its ARN, or "*"): a resource policy grants on its own.</summary>
    Direct,

    /// <summary>The statement names the caller's account (arn:aws:iam::&lt;account&gt;:root): IAM policies of the caller must allow too.</summary>
    Account,
}

/// <summary>The Principal (or NotPrincipal) element: AWS principals, service principals, or everyone.</summary>
public sealed class PrincipalSpec
{
    private const string AccountRootPrefix = "arn:aws:iam::";

    internal PrincipalSpec(bool everyone, IReadOnlyList<string> aws, IReadOnlyList<string> services)
    {
        Everyone = everyone;
        AwsArns = aws;
        Services = services;
    }

    public bool Everyone { get; }

    /// <summary>AWS principals as ARNs (bare account ids are normalized to arn:aws:iam::&lt;account&gt;:root).</summary>
    public IReadOnlyList<string> AwsArns { get; }

    public IReadOnlyList<string> Services { get; }

    /// <summary>
    /// Federated principals: OpenID Connect providers as arn:aws:iam::ACCOUNT:oidc-provider/HOST, or the bare HOST.
    /// They match a web-identity caller, whose ARN is its provider's (AssumeRoleWithWebIdentity).
    /// </summary>
    public IReadOnlyList<string> Federated { get; init; } = [];

    public PrincipalMatch Match(string principalArn, string principalAccount, bool isRoot, string? servicePrincipal)
    {
        if (Everyone)
        {
            return PrincipalMatch.Direct;
        }

        if (servicePrincipal is not null && Services.Contains(servicePrincipal, StringComparer.Ordinal))
        {
            return PrincipalMatch.Direct;
        }

        for (var i = 0; i < Federated.Count; i++)
        {
            var provider = Federated[i];
            if (string.Equals(provider, principalArn, StringComparison.Ordinal)
                || (principalArn.EndsWith(provider, StringComparison.Ordinal) && principalArn.AsSpan(0, principalArn.Length - provider.Length).EndsWith(":oidc-provider/")))
            {
                return PrincipalMatch.Direct;
            }
        }

        var best = PrincipalMatch.None;
        for (var i = 0; i < AwsArns.Count; i++)
        {
            var arn = AwsArns[i];
            if (arn == "*" || string.Equals(arn, principalArn, StringComparison.Ordinal))
            {
                return PrincipalMatch.Direct;
            }

            if (IsAccountRoot(arn) && arn.AsSpan(AccountRootPrefix.Length, 12).SequenceEqual(principalAccount))
            {
                // The account root itself is named directly; anyone else in it is delegated to IAM.
                if (isRoot)
                {
                    return PrincipalMatch.Direct;
                }

                best = PrincipalMatch.Account;
            }
        }

        return best;
    }

    private static bool IsAccountRoot(string arn) =>
        arn.Length == AccountRootPrefix.Length + 12 + ":root".Length
        && arn.StartsWith(AccountRootPrefix, StringComparison.Ordinal)
        && arn.EndsWith(":root", StringComparison.Ordinal);
}
