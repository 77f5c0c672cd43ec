using System.Globalization;
using Citadel.Server.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Citadel.Server.Query.Sts;

/// <summary>
/// The OpenID Connect providers AssumeRoleWithWebIdentity trusts, with their signing keys read once at start from
/// their JWKS files, and the verification of a web identity token against them: the signature (RS256 or ES256 only,
/// by a key of the issuer's set: never "none"), iss a configured provider, aud one of its audiences, exp and nbf
/// against the key clock with <see cref="ClockSkew"/>.
/// </summary>
internal sealed class OidcProviders
{
    /// <summary>How far exp and nbf may be off the server's clock: clocks of issuers and servers drift.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>By account and issuer URL (without a trailing slash): a provider serves the roles of its own account only.</summary>
    private readonly Dictionary<(string Account, string Issuer), (OidcProviderSettings Settings, TokenValidationParameters Parameters)> _byIssuer = [];
    private readonly JsonWebTokenHandler _handler = new();

    public OidcProviders(IEnumerable<OidcProviderSettings> providers)
    {
        foreach (var provider in providers)
        {
            IList<SecurityKey> keys;
            try
            {
                keys = new JsonWebKeySet(File.ReadAllText(provider.JwksFile)).GetSigningKeys();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Text.Json.JsonException)
            {
                throw new InvalidOperationException($"The JSON Web Key Set of the OIDC provider {provider.Url} ({provider.JwksFile}) cannot be read: {e.Message.Split('\n')[0]} Give a file with the issuer's public keys ({{\"keys\":[…]}}).");
            }

            _byIssuer[(provider.AccountId, provider.Url.TrimEnd('/'))] = (provider, new TokenValidationParameters
            {
                ValidIssuer = provider.Url,
                ValidIssuers = [provider.Url.TrimEnd('/'), provider.Url.TrimEnd('/') + "/"],
                ValidAudiences = provider.Audiences,
                IssuerSigningKeys = keys,
                ValidAlgorithms = Algorithms,
                RequireSignedTokens = true,
                TryAllIssuerSigningKeys = false,

                // exp and nbf are checked against the key clock (a development server's can be advanced), below.
                ValidateLifetime = false,
                RequireExpirationTime = false,
            });
        }
    }

    /// <summary>The verified token: its provider (one of <paramref name="account"/>, the role's), its sub and the audience that matched; or AWS's error.</summary>
    public async ValueTask<(OidcProviderSettings? Provider, JsonWebToken? Token, string? Audience, QueryError? Error)> VerifyAsync(string token, string account, DateTimeOffset now)
    {
        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return (null, null, null, InvalidToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"));
        }

        string issuer;
        try
        {
            issuer = jwt.Issuer;
        }
        catch (ArgumentException)
        {
            issuer = "";
        }

        if (!_byIssuer.TryGetValue((account, issuer.TrimEnd('/')), out var provider))
        {
            return (null, null, null, InvalidToken($"No OpenIDConnect provider found in your account for {issuer}"));
        }

        var result = await _handler.ValidateTokenAsync(jwt, provider.Parameters);
        if (!result.IsValid)
        {
            return (null, null, null, InvalidToken(result.Exception switch
            {
                SecurityTokenSignatureKeyNotFoundException => "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
                SecurityTokenInvalidAudienceException => "Incorrect token audience",
                SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not supported: sign with RS256 or ES256.",
                _ => "The web identity token's signature could not be verified with the identity provider's keys.",
            }));
        }

        if (!jwt.TryGetPayloadValue<long>("exp", out var exp))
        {
            return (null, null, null, InvalidToken("The token has no expiration time (exp)."));
        }

        var seconds = now.ToUnixTimeSeconds();
        if (seconds > exp + (long)ClockSkew.TotalSeconds)
        {
            return (null, null, null, new QueryError("ExpiredTokenException", string.Create(CultureInfo.InvariantCulture, $"Token expired: current date/time {seconds} must be before the expiration date/time {exp}")));
        }

        if (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && nbf > seconds + (long)ClockSkew.TotalSeconds)
        {
            return (null, null, null, InvalidToken(string.Create(CultureInfo.InvariantCulture, $"Token is not yet valid: current date/time {seconds} must not be before the not-before date/time {nbf}")));
        }

        if (string.IsNullOrEmpty(jwt.Subject))
        {
            return (null, null, null, new QueryError("IDPRejectedClaim", "The token has no subject (sub).", 403));
        }

        var audience = provider.Settings.Audiences.First(a => jwt.Audiences.Contains(a, StringComparer.Ordinal));
        return (provider.Settings, jwt, audience, null);
    }

    private static QueryError InvalidToken(string message) => new("InvalidIdentityToken", message);
}
