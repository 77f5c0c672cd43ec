using System.Net;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Identity;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>Temporary credentials as AssumeRole answered them.</summary>
public sealed record SessionKeys(string AccessKeyId, string SecretAccessKey, string SessionToken, string Expiration, string AssumedRoleId, string Arn);

/// <summary>A server for the STS tests, with helpers to make roles that trust someone and to assume them.</summary>
public sealed class StsFixture : IAsyncLifetime
{
    public CitadelServer Server { get; private set; } = null!;

    /// <summary>The running server's identities (made anew for each use: a restart replaces the store).</summary>
    internal IdentityAdmin Identities => new(Server.Services.GetRequiredService<IStore>(), Server.Services.GetRequiredService<ISeal>(), TimeProvider.System);

    public async Task InitializeAsync() => Server = await CitadelServer.StartAsync();

    /// <summary>Uses a server another fixture started (and disposes of), instead of starting one.</summary>
    public Task UseAsync(CitadelServer server)
    {
        Server = server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A role with <paramref name="trustPolicy"/>, the identity policies given, and <paramref name="maxSessionDuration"/> when set.</summary>
    public async Task<(string Arn, string RoleId)> RoleAsync(string trustPolicy, string? permissions = null, int? maxSessionDuration = null, string account = EndToEnd.Tests.Kms.Account)
    {
        var role = (await Identities.CreatePrincipalAsync(account, $"role-{Guid.NewGuid():N}", PrincipalType.AssumedRole, CancellationToken.None)).Value;
        Assert.True((await Identities.SetRoleAsync(role.Arn, trustPolicy, maxSessionDuration, CancellationToken.None)).IsSuccess);
        if (permissions is not null)
        {
            Assert.True((await Identities.AttachPolicyAsync(role.Arn, "permissions", permissions, CancellationToken.None)).IsSuccess);
        }

        return (role.Arn, role.PrincipalId);
    }

    /// <summary>A trust policy that lets <paramref name="principalArn"/> assume the role, with an optional condition block.</summary>
    public static string Trust(string principalArn, string? condition = null) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principalArn}}"},"Action":"sts:AssumeRole"{{(condition is null ? "" : ",\"Condition\":" + condition)}}}]}""";

    public static async Task<QueryAnswer> AssumeRoleAsync(string endpoint, string accessKeyId, string secret, string roleArn, string sessionName = "s1", string extra = "", string? sessionToken = null) =>
        await QueryHttp.SendAsync(
            endpoint,
            $"Action=AssumeRole&Version=2011-06-15&RoleArn={WebUtility.UrlEncode(roleArn)}&RoleSessionName={sessionName}{extra}",
            accessKeyId,
            secret,
            headers: sessionToken is null ? null : new Dictionary<string, string> { ["X-Amz-Security-Token"] = sessionToken });

    public static SessionKeys Keys(QueryAnswer answer)
    {
        Assert.True(answer.Status == 200, answer.Body);
        return new SessionKeys(answer.Value("AccessKeyId")!, answer.Value("SecretAccessKey")!, answer.Value("SessionToken")!, answer.Value("Expiration")!, answer.Value("AssumedRoleId")!, answer.Value("Arn")!);
    }

    public AmazonKeyManagementServiceClient Kms(SessionKeys keys) =>
        new(new SessionAWSCredentials(keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Server.Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });
}
