using Amazon.KeyManagementService;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Identity;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>
/// One development server for the console's tests, with an AWS managed key (created by an integrated
/// service on a user's behalf, as AWS creates aws/* keys) and identities made through <see cref="IdentityAdmin"/>.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private const string Service = "secretsmanager.amazonaws.com";

    public CitadelServer Server { get; private set; } = null!;

    /// <summary>The development account's root (access key test/test).</summary>
    public AmazonKeyManagementServiceClient Admin { get; private set; } = null!;

    /// <summary>The origin the browser opens: the server's loopback address, a secure context for WebCrypto.</summary>
    public string Origin => Server.Endpoint.TrimEnd('/');

    internal IdentityAdmin Identities { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CitadelServer.StartAsync();
        Admin = Server.Client();
        Identities = new IdentityAdmin(Server.Services.GetRequiredService<IStore>(), Server.Services.GetRequiredService<ISeal>(), TimeProvider.System);

        // An AWS managed key: the service encrypts with alias/aws/secretsmanager for a user of the account.
        Assert.True((await Identities.CreateServiceAsync(Service, CancellationToken.None)).IsSuccess);
        var serviceKey = (await Identities.CreateAccessKeyAsync(Service, CancellationToken.None)).Value;
        var (user, _) = await UserAsync("app", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""");
        var (status, body) = await new ServiceCaller(Server.Endpoint, serviceKey.AccessKeyId, serviceKey.SecretAccessKey)
            .CallAsync("Encrypt", new { KeyId = "alias/aws/secretsmanager", Plaintext = "c2VjcmV0" }, user.Arn);
        Assert.True(status == 200, body.ToString());
    }

    /// <summary>A new IAM user with an access key and the given identity policy (none if null).</summary>
    internal async Task<(PrincipalRecord Principal, (string Id, string Secret) AccessKey)> UserAsync(string name, string? policy)
    {
        var principal = (await Identities.CreatePrincipalAsync(Kms.Account, $"{name}-{Guid.NewGuid():N}"[..20], PrincipalType.IamUser, CancellationToken.None)).Value;
        if (policy is not null)
        {
            Assert.True((await Identities.AttachPolicyAsync(principal.Arn, "policy", policy, CancellationToken.None)).IsSuccess);
        }

        var key = (await Identities.CreateAccessKeyAsync(principal.Arn, CancellationToken.None)).Value;
        return (principal, (key.AccessKeyId, key.SecretAccessKey));
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
    }
}
