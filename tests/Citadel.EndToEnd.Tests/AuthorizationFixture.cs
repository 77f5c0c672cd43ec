using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Identity;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>A principal with its own access key and an SDK client signing as it.</summary>
public sealed record Caller(string Arn, string AccessKeyId, AmazonKeyManagementServiceClient Kms);

/// <summary>
/// One server with two accounts: the development account (its root is the dev administrator) and
/// <see cref="Kms.OtherAccount"/>, created with its root through <see cref="IdentityAdmin"/>. Each test
/// makes its own users and roles; they get their policies before their first request, so the
/// server's identity cache never holds a stale entry for them.
/// </summary>
public sealed class AuthorizationFixture : IAsyncLifetime
{
    public CitadelServer Server { get; private set; } = null!;

    /// <summary>The root of the development account.</summary>
    public AmazonKeyManagementServiceClient Admin { get; private set; } = null!;

    /// <summary>The root of the other account.</summary>
    public Caller OtherRoot { get; private set; } = null!;

    internal IdentityAdmin Identities { get; private set; } = null!;

    internal IStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CitadelServer.StartAsync();
        Admin = Server.Client();
        Store = Server.Services.GetRequiredService<IStore>();
        Identities = new IdentityAdmin(Store, Server.Services.GetRequiredService<ISeal>(), TimeProvider.System);
        Ok(await Identities.CreateAccountAsync(Kms.OtherAccount, CancellationToken.None));
        OtherRoot = await AccessKeyAsync($"arn:aws:iam::{Kms.OtherAccount}:root");
    }

    /// <summary>A new IAM user with the given identity policies attached.</summary>
    public Task<Caller> UserAsync(params string[] identityPolicies) => PrincipalAsync(Kms.Account, PrincipalType.IamUser, identityPolicies);

    /// <summary>A new IAM user of the other account with the given identity policies attached.</summary>
    public Task<Caller> OtherUserAsync(params string[] identityPolicies) => PrincipalAsync(Kms.OtherAccount, PrincipalType.IamUser, identityPolicies);

    /// <summary>A new IAM role with the given identity policies attached.</summary>
    public Task<Caller> RoleAsync(params string[] identityPolicies) => PrincipalAsync(Kms.Account, PrincipalType.AssumedRole, identityPolicies);

    public async Task<Caller> PrincipalAsync(string account, PrincipalType type, params string[] identityPolicies)
    {
        var name = $"{(type == PrincipalType.IamUser ? "user" : "role")}-{Guid.NewGuid():N}";
        var principal = Ok(await Identities.CreatePrincipalAsync(account, name, type, CancellationToken.None));
        for (var i = 0; i < identityPolicies.Length; i++)
        {
            Ok(await Identities.AttachPolicyAsync(principal.Arn, $"policy{i + 1}", identityPolicies[i], CancellationToken.None));
        }

        return await AccessKeyAsync(principal.Arn);
    }

    /// <summary>A key of the development account, with <paramref name="policy"/> or the default key policy.</summary>
    public async Task<KeyMetadata> KeyAsync(string? policy = null, List<Tag>? tags = null)
    {
        var response = await Admin.CreateKeyAsync(new CreateKeyRequest { Policy = policy, Tags = tags, BypassPolicyLockoutSafetyCheck = policy is not null });
        return response.KeyMetadata;
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
    }

    private async Task<Caller> AccessKeyAsync(string arn)
    {
        var key = Ok(await Identities.CreateAccessKeyAsync(arn, CancellationToken.None));
        return new Caller(arn, key.AccessKeyId, Server.Client(key.AccessKeyId, key.SecretAccessKey));
    }

    private static T Ok<T>(Citadel.Core.Errors.Result<T> result)
    {
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }
}

[CollectionDefinition("authorization")]
public sealed class AuthorizationGroup : ICollectionFixture<AuthorizationFixture>;

/// <summary>Policy documents for the tests, built from statements.</summary>
public static class Policies
{
    public static string Document(params string[] statements) =>
        $$"""{"Version": "2012-10-17", "Statement": [{{string.Join(", ", statements)}}]}""";

    /// <summary>The account-root statement of the default key policy.</summary>
    public static string RootStatement(string account = Kms.Account) =>
        $$"""{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::{{account}}:root"}, "Action": "kms:*", "Resource": "*"}""";

    /// <summary>A key-policy statement: <paramref name="effect"/> for <paramref name="principal"/> (an ARN, or "*").</summary>
    public static string For(string principal, string effect, string actions, string? condition = null)
    {
        var who = principal == "*" ? "\"*\"" : $$"""{"AWS": "{{principal}}"}""";
        var when = condition is null ? "" : $", \"Condition\": {condition}";
        return $$"""{"Effect": "{{effect}}", "Principal": {{who}}, "Action": {{Actions(actions)}}, "Resource": "*"{{when}}}""";
    }

    /// <summary>An identity-policy statement.</summary>
    public static string Identity(string effect, string actions, string resource = "*", string? condition = null)
    {
        var when = condition is null ? "" : $", \"Condition\": {condition}";
        return $$"""{"Effect": "{{effect}}", "Action": {{Actions(actions)}}, "Resource": "{{resource}}"{{when}}}""";
    }

    /// <summary>An identity policy allowing <paramref name="actions"/> ('|'-separated) on every resource.</summary>
    public static string Allowing(string actions, string? condition = null) => Document(Identity("Allow", actions, condition: condition));

    private static string Actions(string actions) => "[" + string.Join(", ", actions.Split('|').Select(a => $"\"{a}\"")) + "]";
}
