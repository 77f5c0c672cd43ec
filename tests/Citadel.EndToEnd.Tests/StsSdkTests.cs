using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>The AWS SDK for .NET's own STS client and AssumeRoleAWSCredentials against the server, as an application uses them.</summary>
[Trait("Issue", "23")]
public sealed class StsSdkTests(StsFixture fixture) : IClassFixture<StsFixture>
{
    private readonly StsFixture _sts = fixture;
    private readonly CitadelServer _server = fixture.Server;

    private AmazonSecurityTokenServiceClient Sts(AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = _server.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    [Fact]
    public async Task The_SDKs_STS_client_gets_the_caller_identity_and_assumes_a_role()
    {
        var user = await _server.CreateUserAsync("sdk-sts-user");
        var (roleArn, roleId) = await _sts.RoleAsync(StsFixture.Trust(user.Arn, """{"StringEquals":{"sts:ExternalId":"sdk"}}"""), Users.Allow("kms:*"));
        using var sts = Sts(new BasicAWSCredentials(user.AccessKeyId, user.Secret));

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "sdk", ExternalId = "sdk", DurationSeconds = 900 });

        Assert.Equal(user.Arn, identity.Arn);
        Assert.Equal("111122223333", identity.Account);
        Assert.Equal(user.PrincipalId, identity.UserId);
        Assert.StartsWith("ASIA", assumed.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal($"{roleId}:sdk", assumed.AssumedRoleUser.AssumedRoleId);
        Assert.InRange(assumed.Credentials.Expiration!.Value.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(16));
        using var asSession = Sts(new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken));
        var sessionIdentity = await asSession.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(assumed.AssumedRoleUser.Arn, sessionIdentity.Arn);
    }

    [Fact]
    public async Task The_SDKs_STS_client_surfaces_AccessDenied_and_ValidationError_as_typed_exceptions()
    {
        var user = await _server.CreateUserAsync("sdk-sts-denied");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust("arn:aws:iam::111122223333:user/someone-else"));
        using var sts = Sts(new BasicAWSCredentials(user.AccessKeyId, user.Secret));

        var denied = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "sdk" }));
#pragma warning disable SecurityTokenService1003 // the SDK analyzer knows the range; the test sends what it forbids on purpose.
        var tooShort = new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "sdk", DurationSeconds = 60 };
#pragma warning restore SecurityTokenService1003
        var invalid = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(tooShort));

        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(ErrorType.Sender, denied.ErrorType);
        Assert.Equal("ValidationError", invalid.ErrorCode);
    }

    [Fact]
    public async Task AssumeRoleAWSCredentials_signs_KMS_requests_as_the_role_session()
    {
        var user = await _server.CreateUserAsync("sdk-assume-creds");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), Users.Allow("kms:*"));
        using var admin = _server.Client();
        var key = (await admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        // AssumeRoleAWSCredentials makes its own STS client: it takes the endpoint from the service-specific
        // endpoint variable, as an application pointed at Citadel would (only this class makes such a client).
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", _server.Endpoint);
        var credentials = new AssumeRoleAWSCredentials(
            new BasicAWSCredentials(user.AccessKeyId, user.Secret),
            roleArn,
            "app-session",
            new AssumeRoleAWSCredentialsOptions { DurationSeconds = 900 });
        using var kms = new AmazonKeyManagementServiceClient(credentials, new AmazonKeyManagementServiceConfig { ServiceURL = _server.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

        var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream("role session"u8.ToArray()) });
        var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });

        Assert.Equal("role session"u8.ToArray(), decrypted.Plaintext.ToArray());
    }
}
