namespace Citadel.Server.Query.Sts;

/// <summary>The STS operations the query endpoint answers (botocore's sts/2011-06-15 model).</summary>
internal static class StsOperations
{
    public static IReadOnlyList<QueryOperation> All { get; } =
    [
        new(QueryServices.Sts, "GetCallerIdentity", true, GetCallerIdentityHandler.HandleAsync),
        new(QueryServices.Sts, "AssumeRole", false, AssumeRoleHandler.HandleAsync)
        {
            Validate = AssumeRoleHandler.Validate,
            Resource = AssumeRoleHandler.Resource,
            ResourcePolicy = AssumeRoleHandler.TrustPolicyAsync,
            AuditedParameters = ["RoleArn", "RoleSessionName", "DurationSeconds", "ExternalId", "SourceIdentity"],
        },
        new(QueryServices.Sts, "AssumeRoleWithWebIdentity", false, AssumeRoleWithWebIdentityHandler.HandleAsync)
        {
            Anonymous = true,
            Validate = AssumeRoleWithWebIdentityHandler.Validate,
            Authenticate = AssumeRoleWithWebIdentityHandler.AuthenticateAsync,
            Resource = AssumeRoleHandler.Resource,
            ResourcePolicy = AssumeRoleHandler.TrustPolicyAsync,

            // Never WebIdentityToken: it is the credential.
            AuditedParameters = ["RoleArn", "RoleSessionName", "DurationSeconds", "ProviderId"],
        },
    ];
}
