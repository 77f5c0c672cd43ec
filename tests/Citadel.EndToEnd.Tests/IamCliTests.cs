using System.Text.Json;

namespace Citadel.EndToEnd.Tests;

/// <summary>The AWS CLI's `aws iam` against the server: what docs/iam-api.md shows, run as written.</summary>
[Trait("Issue", "23")]
public sealed class IamCliTests(AuditServerFixture fixture) : IClassFixture<AuditServerFixture>
{
    private const string TrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}""";
    private const string EncryptPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";

    private readonly CitadelServer _server = fixture.Server;

    private Task<JsonElement?> AwsAsync(params string[] arguments) => AwsCli.JsonAsync(_server.Endpoint, "test", "test", arguments);

    [Fact]
    public async Task Create_role_put_role_policy_and_get_role_policy_work_as_in_the_docs()
    {
        var created = await AwsAsync("iam", "create-role", "--role-name", "cli-encryptor", "--assume-role-policy-document", TrustPolicy, "--max-session-duration", "7200");
        await AwsAsync("iam", "put-role-policy", "--role-name", "cli-encryptor", "--policy-name", "encrypt", "--policy-document", EncryptPolicy);

        var policy = await AwsAsync("iam", "get-role-policy", "--role-name", "cli-encryptor", "--policy-name", "encrypt");
        var role = await AwsAsync("iam", "get-role", "--role-name", "cli-encryptor");
        var names = await AwsAsync("iam", "list-role-policies", "--role-name", "cli-encryptor");

        Assert.Equal("arn:aws:iam::111122223333:role/cli-encryptor", created!.Value.GetProperty("Role").GetProperty("Arn").GetString());
        // The CLI decodes the URL-encoded documents IAM returns into JSON.
        CloudTrail.JsonEqual(EncryptPolicy, policy!.Value.GetProperty("PolicyDocument"));
        Assert.Equal("sts:AssumeRole", role!.Value.GetProperty("Role").GetProperty("AssumeRolePolicyDocument").GetProperty("Statement")[0].GetProperty("Action").GetString());
        Assert.Equal(7200, role.Value.GetProperty("Role").GetProperty("MaxSessionDuration").GetInt32());
        Assert.Equal(["encrypt"], names!.Value.GetProperty("PolicyNames").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task A_user_and_its_access_key_made_by_the_CLI_sign_KMS_requests()
    {
        await AwsAsync("iam", "create-user", "--user-name", "cli-user");
        await AwsAsync("iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "list", "--policy-document", Users.Allow("kms:ListKeys"));
        var key = (await AwsAsync("iam", "create-access-key", "--user-name", "cli-user"))!.Value.GetProperty("AccessKey");
        var (id, secret) = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);

        var listed = await AwsCli.JsonAsync(_server.Endpoint, id, secret, "kms", "list-keys");
        var self = await AwsCli.JsonAsync(_server.Endpoint, id, secret, "sts", "get-caller-identity");
        var (exit, _, error) = await AwsCli.RunAsync(_server.Endpoint, id, secret, null, "iam", "create-user", "--user-name", "cli-escalated");

        Assert.True(listed!.Value.TryGetProperty("Keys", out _));
        Assert.Equal("arn:aws:iam::111122223333:user/cli-user", self!.Value.GetProperty("Arn").GetString());
        Assert.NotEqual(0, exit);
        Assert.Contains("An error occurred (AccessDenied) when calling the CreateUser operation: User: arn:aws:iam::111122223333:user/cli-user is not authorized to perform: iam:CreateUser", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_made_with_aws_iam_is_assumed_with_aws_sts_and_its_session_encrypts_with_aws_kms()
    {
        var key = (await AwsAsync("kms", "create-key"))!.Value.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        await AwsAsync("iam", "create-role", "--role-name", "cli-walkthrough", "--assume-role-policy-document", TrustPolicy);
        await AwsAsync("iam", "put-role-policy", "--role-name", "cli-walkthrough", "--policy-name", "encrypt", "--policy-document", EncryptPolicy);

        var credentials = (await AwsAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::111122223333:role/cli-walkthrough", "--role-session-name", "demo"))!.Value.GetProperty("Credentials");
        var (id, secret, token) = (credentials.GetProperty("AccessKeyId").GetString()!, credentials.GetProperty("SecretAccessKey").GetString()!, credentials.GetProperty("SessionToken").GetString()!);
        var (whoExit, who, whoError) = await AwsCli.RunAsync(_server.Endpoint, id, secret, token, "sts", "get-caller-identity");
        var (encryptExit, encrypted, encryptError) = await AwsCli.RunAsync(_server.Endpoint, id, secret, token, "kms", "encrypt", "--key-id", key, "--plaintext", "aGVsbG8=");
        var (deniedExit, _, deniedError) = await AwsCli.RunAsync(_server.Endpoint, id, secret, token, "iam", "create-user", "--user-name", "cli-walkthrough-escalated");

        Assert.True(whoExit == 0, whoError);
        Assert.Equal("arn:aws:sts::111122223333:assumed-role/cli-walkthrough/demo", JsonDocument.Parse(who).RootElement.GetProperty("Arn").GetString());
        Assert.True(encryptExit == 0, encryptError);
        Assert.EndsWith(key, JsonDocument.Parse(encrypted).RootElement.GetProperty("KeyId").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(0, deniedExit);
        Assert.Contains("User: arn:aws:sts::111122223333:assumed-role/cli-walkthrough/demo is not authorized to perform: iam:CreateUser", deniedError, StringComparison.Ordinal);
    }
}
