using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>Sessions end: a server of its own, whose development clock the test moves past the session's expiry.</summary>
[Trait("Issue", "23")]
public sealed class StsExpiryTests(StsFixture fixture) : IClassFixture<StsFixture>
{
    private readonly StsFixture _sts = fixture;
    private readonly CitadelServer _server = fixture.Server;

    [Fact]
    public async Task A_session_token_replayed_after_its_expiry_fails_with_ExpiredToken_in_KMS_and_in_STS()
    {
        var user = await _server.CreateUserAsync("sts-expiry");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), Users.Allow("kms:*"));
        var keys = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&DurationSeconds=900"));
        using var kms = _sts.Kms(keys);
        await kms.ListKeysAsync(new ListKeysRequest());

        _server.Services.GetRequiredService<DevClock>().Advance(TimeSpan.FromSeconds(901));

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("ExpiredTokenException", error.ErrorCode);
        Assert.Equal("The security token included in the request is expired", error.Message);
        var sts = await QueryHttp.SendAsync(_server.Endpoint, "Action=GetCallerIdentity&Version=2011-06-15", keys.AccessKeyId, keys.SecretAccessKey, headers: new Dictionary<string, string> { ["X-Amz-Security-Token"] = keys.SessionToken });
        Assert.Equal("The security token included in the request is expired", sts.AssertError(400, "ExpiredToken"));
    }

    [Fact]
    public async Task A_session_keeps_working_across_a_restart()
    {
        var user = await _server.CreateUserAsync("sts-restart");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), Users.Allow("kms:*"));
        var keys = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn));

        await _server.RestartAsync();

        using var kms = _sts.Kms(keys);
        var listed = await kms.ListKeysAsync(new ListKeysRequest());
        Assert.Equal(System.Net.HttpStatusCode.OK, listed.HttpStatusCode);
    }
}
