using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Citadel.Server.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A server that trusts one OpenID Connect provider (https://oidc.test/cluster-1, audience sts.amazonaws.com), whose
/// JSON Web Key Set — an RSA key and a P-256 key — the fixture writes; the tests sign tokens with those keys.
/// </summary>
public sealed class WebIdentityFixture : IAsyncLifetime
{
    public const string Issuer = "https://oidc.test/cluster-1";
    public const string Host = "oidc.test/cluster-1";
    public const string Audience = "sts.amazonaws.com";
    public const string ProviderArn = "arn:aws:iam::111122223333:oidc-provider/" + Host;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"citadel-oidc-{Guid.NewGuid():N}");

    public RSA Rsa { get; } = RSA.Create(2048);

    public ECDsa EcDsa { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public StsFixture Sts { get; } = new();

    public CitadelServer Server { get; private set; } = null!;

    /// <summary>The provider's JSON Web Key Set, as the server reads it.</summary>
    public string JwksFile => Path.Combine(_directory, "jwks.json");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var jwks = JwksFile;
        var rsa = Rsa.ExportParameters(false);
        var ec = EcDsa.ExportParameters(false);
        var set = new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject { ["kty"] = "RSA", ["kid"] = "rsa-1", ["use"] = "sig", ["alg"] = "RS256", ["n"] = Base64UrlEncoder.Encode(rsa.Modulus), ["e"] = Base64UrlEncoder.Encode(rsa.Exponent) },
                new JsonObject { ["kty"] = "EC", ["kid"] = "ec-1", ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(ec.Q.X), ["y"] = Base64UrlEncoder.Encode(ec.Q.Y) }),
        };
        await File.WriteAllTextAsync(jwks, set.ToJsonString());
        Server = await CitadelServer.StartAsync(configure: s => s.OidcProviders.Add(new OidcProviderSettings(Kms.Account, Issuer, [Audience], jwks)));
        await Sts.UseAsync(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Rsa.Dispose();
        EcDsa.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A token signed with the RSA key (RS256, kid rsa-1) unless told otherwise; claims valid for an hour from now.</summary>
    public string Token(string sub = "system:serviceaccount:ci:builder", string iss = Issuer, string aud = Audience, long? exp = null, long? nbf = null, string alg = "RS256", string kid = "rsa-1", RSA? signer = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = kid };
        var payload = new JsonObject { ["iss"] = iss, ["sub"] = sub, ["aud"] = aud, ["iat"] = now, ["exp"] = exp ?? now + 3600, ["nbf"] = nbf ?? now - 60 };
        var signed = $"{Base64UrlEncoder.Encode(header.ToJsonString())}.{Base64UrlEncoder.Encode(payload.ToJsonString())}";
        var data = Encoding.ASCII.GetBytes(signed);
        var signature = alg switch
        {
            "RS256" => (signer ?? Rsa).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "ES256" => EcDsa.SignData(data, HashAlgorithmName.SHA256),
            _ => [],
        };
        return $"{signed}.{Base64UrlEncoder.Encode(signature)}";
    }
}

/// <summary>AssumeRoleWithWebIdentity: an OIDC token, verified against its provider's keys, becomes a role session.</summary>
[Trait("Issue", "23")]
public sealed class WebIdentityTests(WebIdentityFixture fixture) : IClassFixture<WebIdentityFixture>
{
    private const string Subject = "system:serviceaccount:ci:builder";
    private readonly WebIdentityFixture _oidc = fixture;
    private readonly CitadelServer _server = fixture.Server;

    /// <summary>A trust policy letting the provider's tokens with <paramref name="sub"/> (and the audience) assume the role.</summary>
    private static string Trust(string federated = WebIdentityFixture.ProviderArn, string sub = Subject) =>
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":""" + $"\"{federated}\"" + """},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{""" +
        $"\"{WebIdentityFixture.Host}:sub\":\"{sub}\",\"{WebIdentityFixture.Host}:aud\":\"{WebIdentityFixture.Audience}\"" + "}}}]}";

    private Task<QueryAnswer> AssumeAsync(string roleArn, string token, string sessionName = "pod-1") => AssumeAsync(_server, roleArn, token, sessionName);

    private static Task<QueryAnswer> AssumeAsync(CitadelServer server, string roleArn, string token, string sessionName) =>
        QueryHttp.SendAsync(server.Endpoint, $"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={WebUtility.UrlEncode(roleArn)}&RoleSessionName={sessionName}&WebIdentityToken={WebUtility.UrlEncode(token)}", sign: false);

    [Fact]
    public async Task A_token_the_trust_policy_accepts_returns_credentials_that_encrypt_with_the_roles_permissions()
    {
        var (roleArn, roleId) = await _oidc.Sts.RoleAsync(Trust(), Users.Allow("kms:*"));
        using var admin = _server.Client();
        var key = (await admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

        var answer = await AssumeAsync(roleArn, _oidc.Token(), "pod-1");

        var keys = StsFixture.Keys(answer);
        Assert.Matches("^ASIA[A-Z2-7]{16}$", keys.AccessKeyId);
        Assert.Equal($"{roleId}:pod-1", keys.AssumedRoleId);
        Assert.Equal($"arn:aws:sts::111122223333:assumed-role/{roleArn.Split('/')[^1]}/pod-1", keys.Arn);
        Assert.Equal(Subject, answer.Value("SubjectFromWebIdentityToken"));
        Assert.Equal(WebIdentityFixture.Audience, answer.Value("Audience"));
        Assert.Equal(WebIdentityFixture.Issuer, answer.Value("Provider"));
        using var kms = _oidc.Sts.Kms(keys);
        var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream("by a pod"u8.ToArray()) });
        Assert.Equal(key, encrypted.KeyId.Split('/')[^1]);
    }

    [Fact]
    public async Task An_ES256_token_is_accepted()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());

        var answer = await AssumeAsync(roleArn, _oidc.Token(alg: "ES256", kid: "ec-1"));

        Assert.Equal(Subject, answer.Value("SubjectFromWebIdentityToken"));
        Assert.Matches("^ASIA", StsFixture.Keys(answer).AccessKeyId);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_under_a_known_kid_is_an_InvalidIdentityToken()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());
        using var forger = RSA.Create(2048);

        var answer = await AssumeAsync(roleArn, _oidc.Token(signer: forger));

        AssertRefused(answer, 400, "InvalidIdentityToken");
    }

    [Fact]
    public async Task A_token_with_an_unknown_kid_is_an_InvalidIdentityToken_as_AWS_words_it()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());

        var answer = await AssumeAsync(roleArn, _oidc.Token(kid: "rsa-2"));

        Assert.Equal("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements", AssertRefused(answer, 400, "InvalidIdentityToken"));
    }

    [Fact]
    public async Task A_token_of_an_issuer_no_provider_is_configured_for_is_an_InvalidIdentityToken()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());

        var answer = await AssumeAsync(roleArn, _oidc.Token(iss: "https://evil.test/cluster-1"));

        Assert.Equal("No OpenIDConnect provider found in your account for https://evil.test/cluster-1", AssertRefused(answer, 400, "InvalidIdentityToken"));
    }

    [Fact]
    public async Task A_role_of_another_account_cannot_be_assumed_with_a_token_of_this_accounts_provider()
    {
        await _oidc.Sts.Identities.CreateAccountAsync("444455556666", CancellationToken.None);
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust(federated: WebIdentityFixture.Host), account: "444455556666");

        var answer = await AssumeAsync(roleArn, _oidc.Token());

        Assert.Equal($"No OpenIDConnect provider found in your account for {WebIdentityFixture.Issuer}", AssertRefused(answer, 400, "InvalidIdentityToken"));
    }

    [Fact]
    public async Task A_token_for_another_audience_is_an_InvalidIdentityToken()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());

        var answer = await AssumeAsync(roleArn, _oidc.Token(aud: "some-other-client"));

        Assert.Equal("Incorrect token audience", AssertRefused(answer, 400, "InvalidIdentityToken"));
    }

    [Fact]
    public async Task An_expired_token_is_an_ExpiredTokenException()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());
        var exp = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();

        var answer = await AssumeAsync(roleArn, _oidc.Token(exp: exp, nbf: exp - 3600));

        Assert.StartsWith("Token expired: current date/time ", AssertRefused(answer, 400, "ExpiredTokenException"));
    }

    [Fact]
    public async Task A_token_not_yet_valid_is_an_InvalidIdentityToken()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());
        var nbf = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();

        var answer = await AssumeAsync(roleArn, _oidc.Token(nbf: nbf, exp: nbf + 3600));

        Assert.StartsWith("Token is not yet valid", AssertRefused(answer, 400, "InvalidIdentityToken"));
    }

    [Fact]
    public async Task A_token_with_alg_none_and_no_signature_is_an_InvalidIdentityToken()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());

        var answer = await AssumeAsync(roleArn, _oidc.Token(alg: "none"));

        AssertRefused(answer, 400, "InvalidIdentityToken");
    }

    [Fact]
    public async Task A_trust_policy_whose_sub_condition_does_not_match_refuses_with_AccessDenied()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust(sub: "system:serviceaccount:prod:deployer"));

        var answer = await AssumeAsync(roleArn, _oidc.Token());

        Assert.Equal("Not authorized to perform sts:AssumeRoleWithWebIdentity", AssertRefused(answer, 403, "AccessDenied"));
    }

    [Fact]
    public async Task A_role_that_does_not_trust_the_provider_refuses_with_AccessDenied()
    {
        var (other, _) = await _oidc.Sts.RoleAsync(Trust(federated: "arn:aws:iam::111122223333:oidc-provider/other.test"));
        var (users, _) = await _oidc.Sts.RoleAsync(StsFixture.Trust("arn:aws:iam::111122223333:root").Replace("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", StringComparison.Ordinal));

        AssertRefused(await AssumeAsync(other, _oidc.Token()), 403, "AccessDenied");
        AssertRefused(await AssumeAsync(users, _oidc.Token()), 403, "AccessDenied");
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_is_audited_as_a_WebIdentityUser_without_the_token_or_the_secrets()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var token = _oidc.Token();
        var assumed = await AssumeAsync(roleArn, token, "audited-pod");
        var keys = StsFixture.Keys(assumed);
        var refused = await AssumeAsync(roleArn, _oidc.Token(aud: "some-other-client"), "refused-pod");

        var events = (await CloudTrail.LookupAllAsync(_server.Endpoint, new JsonObject { ["StartTime"] = CloudTrail.EpochSeconds(before) })).Select(CloudTrail.Record).ToList();

        var e = Assert.Single(events, e => CloudTrail.RequestId(e) == assumed.RequestId);
        Assert.Equal("AssumeRoleWithWebIdentity", e.GetProperty("eventName").GetString());
        CloudTrail.JsonEqual(
            $$"""{"type":"WebIdentityUser","principalId":"{{WebIdentityFixture.Host}}:{{WebIdentityFixture.Audience}}:{{Subject}}","arn":"{{WebIdentityFixture.ProviderArn}}","accountId":"111122223333"}""",
            e.GetProperty("userIdentity"));
        CloudTrail.JsonEqual($$"""{"roleArn":"{{roleArn}}","roleSessionName":"audited-pod"}""", e.GetProperty("requestParameters"));
        var text = e.GetRawText();
        Assert.DoesNotContain(token.Split('.')[2], text, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], text, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.SecretAccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.SessionToken[..40], text, StringComparison.Ordinal);
        var failed = Assert.Single(events, e => CloudTrail.RequestId(e) == refused.RequestId);
        Assert.Equal("InvalidIdentityToken", failed.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task A_token_expires_by_the_key_clock_of_a_development_server()
    {
        // A server of its own: advancing the shared server's clock would expire every other test's token.
        await using var server = await CitadelServer.StartAsync(configure: s => s.OidcProviders.Add(new OidcProviderSettings(Kms.Account, WebIdentityFixture.Issuer, [WebIdentityFixture.Audience], _oidc.JwksFile)));
        var sts = new StsFixture();
        await sts.UseAsync(server);
        var (roleArn, _) = await sts.RoleAsync(Trust());
        var token = _oidc.Token();
        StsFixture.Keys(await AssumeAsync(server, roleArn, token, "before"));

        await DevClockCalls.AdvanceAsync(server.Endpoint, "2h", "rotatedKeys");
        var after = await AssumeAsync(server, roleArn, token, "after");

        Assert.StartsWith("Token expired: current date/time ", AssertRefused(after, 400, "ExpiredTokenException"));
    }

    [Fact]
    public async Task The_SDKs_STS_client_assumes_a_role_with_a_web_identity_unsigned_and_reads_AWSs_exceptions()
    {
        var (roleArn, roleId) = await _oidc.Sts.RoleAsync(Trust());
        using var sts = new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), new AmazonSecurityTokenServiceConfig { ServiceURL = _server.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

        var assumed = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest { RoleArn = roleArn, RoleSessionName = "sdk-pod", WebIdentityToken = _oidc.Token(), DurationSeconds = 900 });
        var expired = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var expiredError = await Assert.ThrowsAsync<ExpiredTokenException>(() => sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest { RoleArn = roleArn, RoleSessionName = "sdk-pod", WebIdentityToken = _oidc.Token(exp: expired, nbf: expired - 60) }));
        var invalid = await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest { RoleArn = roleArn, RoleSessionName = "sdk-pod", WebIdentityToken = _oidc.Token(aud: "nope") }));

        Assert.StartsWith("ASIA", assumed.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal($"{roleId}:sdk-pod", assumed.AssumedRoleUser.AssumedRoleId);
        Assert.Equal(Subject, assumed.SubjectFromWebIdentityToken);
        Assert.Equal(WebIdentityFixture.Audience, assumed.Audience);
        Assert.Equal(WebIdentityFixture.Issuer, assumed.Provider);
        Assert.InRange(assumed.Credentials.Expiration!.Value.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(16));
        Assert.StartsWith("Token expired: current date/time ", expiredError.Message, StringComparison.Ordinal);
        Assert.Equal("Incorrect token audience", invalid.Message);
    }

    [Fact]
    public async Task Bad_input_gets_AWSs_errors_before_the_token_is_looked_at()
    {
        var (roleArn, _) = await _oidc.Sts.RoleAsync(Trust());
        var role = WebUtility.UrlEncode(roleArn);

        var noToken = await QueryHttp.SendAsync(_server.Endpoint, $"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={role}&RoleSessionName=pod", sign: false);
        var badPolicy = await QueryHttp.SendAsync(_server.Endpoint, $"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={role}&RoleSessionName=pod&Policy=%7Bnot-json&WebIdentityToken={_oidc.Token()}", sign: false);
        var tooLong = await QueryHttp.SendAsync(_server.Endpoint, $"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={role}&RoleSessionName=pod&DurationSeconds=7200&WebIdentityToken={_oidc.Token()}", sign: false);
        var garbage = await AssumeAsync(roleArn, "not-a-jwt");

        Assert.Equal("1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null", AssertRefused(noToken, 400, "ValidationError"));
        Assert.StartsWith("The session policy is not valid: ", AssertRefused(badPolicy, 400, "MalformedPolicyDocument"), StringComparison.Ordinal);
        Assert.Equal("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", AssertRefused(tooLong, 400, "ValidationError"));
        Assert.Equal("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)", AssertRefused(garbage, 400, "InvalidIdentityToken"));
    }

    /// <summary>The error, and no credentials in the answer.</summary>
    private static string AssertRefused(QueryAnswer answer, int status, string code)
    {
        var message = answer.AssertError(status, code);
        Assert.DoesNotContain("SecretAccessKey", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("SessionToken", answer.Body, StringComparison.Ordinal);
        return message;
    }
}
