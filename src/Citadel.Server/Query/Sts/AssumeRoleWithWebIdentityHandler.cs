using Citadel.Core.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Server.Query.Sts;

/// <summary>
/// AssumeRoleWithWebIdentity: temporary credentials for a role in exchange for an OpenID Connect token (STS API
/// reference), such as a Kubernetes service-account token. Anonymous: the token is the credential. The endpoint
/// checks the parameters (<see cref="Validate"/>), has the token verified (<see cref="AuthenticateAsync"/>), which
/// makes the caller the web identity (arn:aws:iam::ACCOUNT:oidc-provider/HOST) with its claims as the condition keys
/// HOST:sub, HOST:aud and HOST:azp, then authorizes sts:AssumeRoleWithWebIdentity against the role's trust policy
/// (<see cref="AssumeRoleHandler.TrustPolicyAsync"/>) — a statement with Principal {"Federated": provider}. The token
/// itself is never recorded.
/// </summary>
internal static class AssumeRoleWithWebIdentityHandler
{
    private const string ProviderMarker = ":oidc-provider/";

    /// <summary>Where the token's iss is kept among the claims (not a condition key: no policy key has a space).</summary>
    private const string IssuerClaim = "citadel issuer";

    public static QueryError? Validate(QueryContext ctx)
    {
        var form = ctx.Form;
        var invalid = QueryValidation.String(form, "RoleArn", 20, 2048, required: true)
            ?? QueryValidation.String(form, "RoleSessionName", 2, 64, AssumeRoleHandler.SessionNamePattern(), required: true)
            ?? QueryValidation.String(form, "WebIdentityToken", 4, 20000, required: true)
            ?? QueryValidation.String(form, "ProviderId", 4, 2048)
            ?? QueryValidation.Int(form, "DurationSeconds", 900, 43200, out _)
            ?? QueryValidation.String(form, "Policy", 1, 2048);
        if (invalid is not null)
        {
            return invalid;
        }

        if (form.List("PolicyArns", prefix => form[prefix + ".arn"]).Count > 0)
        {
            return QueryErrors.Validation("Citadel has no managed policies, so PolicyArns is not supported: pass the session policy inline in Policy.");
        }

        ctx.Facts.RoleSessionName = form["RoleSessionName"];
        return AssumeRoleHandler.SessionPolicyError(form);
    }

    /// <summary>Verifies the token and makes its subject the caller; InvalidIdentityToken, ExpiredTokenException or IDPRejectedClaim otherwise.</summary>
    public static async ValueTask<QueryError?> AuthenticateAsync(QueryContext ctx)
    {
        // The provider must be one of the role's account (IAM's OIDC providers belong to an account).
        var roleArn = ctx.Form["RoleArn"]!.Split(':');
        var account = roleArn.Length > 4 ? roleArn[4] : "";
        var (provider, token, audience, error) = await ctx.Services.GetRequiredService<OidcProviders>().VerifyAsync(ctx.Form["WebIdentityToken"]!, account, ctx.Kms.Time.GetUtcNow());
        if (error is not null)
        {
            return error;
        }

        var host = provider!.Host;
        ctx.Principal = new Principal(provider.AccountId, provider.Arn, PrincipalType.WebIdentityUser, $"{host}:{audience}:{token!.Subject}");
        var claims = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [$"{host}:sub"] = token.Subject,
            [$"{host}:aud"] = audience!,
            [IssuerClaim] = token.Issuer,
        };
        if (token.TryGetPayloadValue<string>("azp", out var azp))
        {
            claims[$"{host}:azp"] = azp;
        }

        ctx.Facts.WebIdentityClaims = claims;
        return null;
    }

    public static async ValueTask<QueryError?> HandleAsync(QueryContext ctx)
    {
        var form = ctx.Form;
        var caller = ctx.Principal!;
        var role = await ctx.Kms.Store.GetRoleSettingsAsync(form["RoleArn"]!, ctx.Aborted);
        if (role is null)
        {
            return QueryErrors.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        }

        if (AssumeRoleHandler.Duration(form, role, chained: false, out var duration) is { } tooLong)
        {
            return tooLong;
        }

        var now = ctx.Kms.Time.GetUtcNow();
        var session = new SessionContext(role.RoleArn, role.RoleId, form["RoleSessionName"]!, now, now.AddSeconds(duration), false)
        {
            PolicyDocument = form["Policy"],
        };
        var host = caller.Arn[(caller.Arn.IndexOf(ProviderMarker, StringComparison.Ordinal) + ProviderMarker.Length)..];
        var claims = ctx.Facts.WebIdentityClaims!;

        // Provider: "For OpenID Connect ID tokens, this contains the value of the iss field" (botocore's sts model).
        AssumeRoleHandler.Issue(ctx, session,
        [
            ("SubjectFromWebIdentityToken", claims[$"{host}:sub"]),
            ("Audience", claims[$"{host}:aud"]),
            ("Provider", claims[IssuerClaim]),
        ]);
        return null;
    }
}
