namespace Citadel.Server.Hosting;

/// <summary>
/// An OpenID Connect identity provider an account trusts for AssumeRoleWithWebIdentity (IAM's OIDC provider):
/// tokens whose iss is <paramref name="Url"/> and whose aud is one of <paramref name="Audiences"/> (IAM's client ids),
/// signed by a key of the JSON Web Key Set in <paramref name="JwksFile"/>. Trust policies name it as
/// arn:aws:iam::ACCOUNT:oidc-provider/HOST, HOST being the URL without https://.
/// </summary>
public sealed record OidcProviderSettings(string AccountId, string Url, IReadOnlyList<string> Audiences, string JwksFile)
{
    /// <summary>The URL without its scheme and trailing slash, as IAM names the provider (e.g. token.actions.githubusercontent.com).</summary>
    public string Host => Url["https://".Length..].TrimEnd('/');

    /// <summary>arn:aws:iam::ACCOUNT:oidc-provider/HOST.</summary>
    public string Arn => $"arn:aws:iam::{AccountId}:oidc-provider/{Host}";
}
