using System.Text.Json.Nodes;
using Amazon.KeyManagementService;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The IAM API over the query protocol, signed for iam, as the AWS CLI and SDKs send it: XML as the IAM model's
/// output shapes, identity-policy authorization on the user's or role's ARN, one audit event per request, and the
/// attacks a caller with less privilege would try.
/// </summary>
[Trait("Issue", "23")]
public sealed class IamApiTests(AuditServerFixture fixture) : IClassFixture<AuditServerFixture>
{
    private const string Version = "&Version=2010-05-08";
    private const string TrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}""";

    private readonly CitadelServer _server = fixture.Server;

    private Task<QueryAnswer> IamAsync(string form, string accessKeyId = "test", string secret = "test") =>
        QueryHttp.SendAsync(_server.Endpoint, form + Version, accessKeyId, secret, service: "iam");

    private Task<QueryAnswer> IamAsync(string form, TestUser caller) => IamAsync(form, caller.AccessKeyId, caller.Secret);

    private static string Encode(string value) => Uri.EscapeDataString(value);

    [Fact]
    public async Task CreateUser_as_the_account_root_answers_the_user_as_the_IAM_model_shapes_it()
    {
        var answer = await IamAsync("Action=CreateUser&UserName=iam-e2e-create&Path=%2Fteam%2F&Tags.member.1.Key=team&Tags.member.1.Value=blue");

        Assert.Equal(200, answer.Status);
        Assert.Equal("CreateUserResponse", answer.Xml.Root!.Name.LocalName);
        Assert.Equal("https://iam.amazonaws.com/doc/2010-05-08/", answer.Xml.Root.Name.NamespaceName);
        Assert.Equal("/team/", answer.Value("Path"));
        Assert.Equal("iam-e2e-create", answer.Value("UserName"));
        Assert.Equal("arn:aws:iam::111122223333:user/team/iam-e2e-create", answer.Value("Arn"));
        Assert.Matches("^AIDA[A-Z2-7]{17}$", answer.Value("UserId"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", answer.Value("CreateDate"));
        Assert.Equal("blue", answer.Value("Value"));
    }

    [Fact]
    public async Task A_user_without_iam_CreateUser_is_denied_with_AWS_message_and_nothing_is_created()
    {
        var caller = await _server.CreateUserAsync("iam-e2e-weak", Users.Allow("kms:*"));

        var answer = await IamAsync("Action=CreateUser&UserName=iam-e2e-victim", caller);

        Assert.Equal(
            "User: arn:aws:iam::111122223333:user/iam-e2e-weak is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/iam-e2e-victim because no identity-based policy allows the iam:CreateUser action",
            answer.AssertError(403, "AccessDenied"));
        Assert.Equal("NoSuchEntity", (await IamAsync("Action=GetUser&UserName=iam-e2e-victim")).Value("Code"));
    }

    [Theory]
    [InlineData("%2Fcitadel-xks%2F")]
    [InlineData("%2Fcitadel-xks%2Fdeeper%2F")]
    public async Task A_user_on_the_XKS_store_path_is_refused_so_the_IAM_API_cannot_make_a_key_store(string path)
    {
        var answer = await IamAsync($"Action=CreateUser&UserName=iam-e2e-fake-store&Path={path}");

        Assert.Equal(
            "The path /citadel-xks/ is reserved for Citadel's XKS key stores; create a store with `citadel xks create-store`.",
            answer.AssertError(400, "InvalidInput"));
        Assert.Equal("NoSuchEntity", (await IamAsync("Action=GetUser&UserName=iam-e2e-fake-store")).Value("Code"));
    }

    [Fact]
    public async Task A_user_allowed_keys_for_itself_cannot_create_an_access_key_for_another_user()
    {
        var policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::111122223333:user/iam-e2e-self"}]}""";
        var caller = await _server.CreateUserAsync("iam-e2e-self", policy);
        await IamAsync("Action=CreateUser&UserName=iam-e2e-other");

        var forOther = await IamAsync("Action=CreateAccessKey&UserName=iam-e2e-other", caller);
        var forSelf = await IamAsync("Action=CreateAccessKey", caller);

        Assert.Equal(
            "User: arn:aws:iam::111122223333:user/iam-e2e-self is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::111122223333:user/iam-e2e-other because no identity-based policy allows the iam:CreateAccessKey action",
            forOther.AssertError(403, "AccessDenied"));
        Assert.Equal(200, forSelf.Status);
        Assert.Equal("iam-e2e-self", forSelf.Value("UserName"));
        Assert.Equal("<AccessKeyMetadata />", (await IamAsync("Action=ListAccessKeys&UserName=iam-e2e-other")).Xml.Descendants().First(e => e.Name.LocalName == "AccessKeyMetadata").ToString().Replace(" xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_user_cannot_escalate_by_attaching_an_inline_policy_to_itself()
    {
        var caller = await _server.CreateUserAsync("iam-e2e-escalate", Users.Allow("iam:GetUser", "iam:ListUserPolicies"));
        var grant = Encode(Users.Allow("*"));

        var answer = await IamAsync($"Action=PutUserPolicy&UserName=iam-e2e-escalate&PolicyName=all&PolicyDocument={grant}", caller);

        Assert.Equal(
            "User: arn:aws:iam::111122223333:user/iam-e2e-escalate is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::111122223333:user/iam-e2e-escalate because no identity-based policy allows the iam:PutUserPolicy action",
            answer.AssertError(403, "AccessDenied"));
        var listed = await IamAsync("Action=ListUserPolicies&UserName=iam-e2e-escalate", caller);
        Assert.Equal(["test-policy"], listed.Xml.Descendants().Where(e => e.Name.LocalName == "member").Select(e => e.Value));
    }

    [Fact]
    public async Task Deleting_a_user_that_still_has_a_key_or_a_policy_fails_with_DeleteConflict()
    {
        await IamAsync("Action=CreateUser&UserName=iam-e2e-conflict");
        var key = await IamAsync("Action=CreateAccessKey&UserName=iam-e2e-conflict");
        await IamAsync($"Action=PutUserPolicy&UserName=iam-e2e-conflict&PolicyName=p&PolicyDocument={Encode(Users.Allow("kms:Encrypt"))}");

        var withKey = await IamAsync("Action=DeleteUser&UserName=iam-e2e-conflict");
        await IamAsync($"Action=DeleteAccessKey&UserName=iam-e2e-conflict&AccessKeyId={key.Value("AccessKeyId")}");
        var withPolicy = await IamAsync("Action=DeleteUser&UserName=iam-e2e-conflict");
        await IamAsync("Action=DeleteUserPolicy&UserName=iam-e2e-conflict&PolicyName=p");
        var deleted = await IamAsync("Action=DeleteUser&UserName=iam-e2e-conflict");

        Assert.Equal("Cannot delete entity, must delete access keys first.", withKey.AssertError(409, "DeleteConflict"));
        Assert.Equal("Cannot delete entity, must delete policies first.", withPolicy.AssertError(409, "DeleteConflict"));
        Assert.Equal(200, deleted.Status);
    }

    [Theory]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\"}]}", 400, "MalformedPolicyDocument", "Statement 1 has no Resource.")]
    [InlineData("{not json", 400, "MalformedPolicyDocument", "The policy is not valid JSON.")]
    public async Task A_malformed_policy_document_is_refused_and_attaches_nothing(string document, int status, string code, string message)
    {
        await IamAsync("Action=CreateUser&UserName=iam-e2e-malformed");

        var answer = await IamAsync($"Action=PutUserPolicy&UserName=iam-e2e-malformed&PolicyName=bad&PolicyDocument={Encode(document)}");

        Assert.Equal(message, answer.AssertError(status, code));
        Assert.Equal("The user policy with name bad cannot be found.", (await IamAsync("Action=GetUserPolicy&UserName=iam-e2e-malformed&PolicyName=bad")).AssertError(404, "NoSuchEntity"));
    }

    [Fact]
    public async Task An_oversized_policy_document_is_refused_with_LimitExceeded()
    {
        await IamAsync("Action=CreateUser&UserName=iam-e2e-oversized");
        var large = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/""" + new string('a', 3000) + "\"}]}";

        var answer = await IamAsync($"Action=PutUserPolicy&UserName=iam-e2e-oversized&PolicyName=big&PolicyDocument={Encode(large)}");

        Assert.Equal("Maximum policy size of 2048 bytes exceeded for user iam-e2e-oversized", answer.AssertError(409, "LimitExceeded"));
    }

    [Fact]
    public async Task A_deleted_access_key_fails_at_once_and_an_inactive_one_fails_until_reactivated()
    {
        await IamAsync("Action=CreateUser&UserName=iam-e2e-keys");
        await IamAsync($"Action=PutUserPolicy&UserName=iam-e2e-keys&PolicyName=kms&PolicyDocument={Encode(Users.Allow("kms:ListKeys"))}");
        var created = await IamAsync("Action=CreateAccessKey&UserName=iam-e2e-keys");
        var (id, secret) = (created.Value("AccessKeyId")!, created.Value("SecretAccessKey")!);
        using var kms = _server.Client(id, secret);
        await kms.ListKeysAsync(new Amazon.KeyManagementService.Model.ListKeysRequest());

        await IamAsync($"Action=UpdateAccessKey&UserName=iam-e2e-keys&AccessKeyId={id}&Status=Inactive");
        var inactive = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new Amazon.KeyManagementService.Model.ListKeysRequest()));
        var inactiveIam = await IamAsync("Action=GetUser", id, secret);
        await IamAsync($"Action=UpdateAccessKey&UserName=iam-e2e-keys&AccessKeyId={id}&Status=Active");
        await kms.ListKeysAsync(new Amazon.KeyManagementService.Model.ListKeysRequest());
        await IamAsync($"Action=DeleteAccessKey&UserName=iam-e2e-keys&AccessKeyId={id}");
        var deleted = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new Amazon.KeyManagementService.Model.ListKeysRequest()));

        Assert.Equal(("UnrecognizedClientException", "The security token included in the request is invalid."), (inactive.ErrorCode, inactive.Message));
        Assert.Equal("The security token included in the request is invalid.", inactiveIam.AssertError(403, "InvalidClientTokenId"));
        Assert.Equal(("UnrecognizedClientException", "The security token included in the request is invalid."), (deleted.ErrorCode, deleted.Message));
    }

    [Fact]
    public async Task A_third_access_key_is_refused_with_LimitExceeded()
    {
        await IamAsync("Action=CreateUser&UserName=iam-e2e-quota");
        await IamAsync("Action=CreateAccessKey&UserName=iam-e2e-quota");
        await IamAsync("Action=CreateAccessKey&UserName=iam-e2e-quota");

        var third = await IamAsync("Action=CreateAccessKey&UserName=iam-e2e-quota");

        Assert.Equal("Cannot exceed quota for AccessKeysPerUser: 2", third.AssertError(409, "LimitExceeded"));
    }

    [Fact]
    public async Task A_role_policy_and_trust_policy_are_answered_URL_encoded_as_IAM_does()
    {
        var policy = Users.Allow("kms:Encrypt");
        await IamAsync($"Action=CreateRole&RoleName=iam-e2e-role&AssumeRolePolicyDocument={Encode(TrustPolicy)}&MaxSessionDuration=7200&Description=deploys");
        await IamAsync($"Action=PutRolePolicy&RoleName=iam-e2e-role&PolicyName=encrypt&PolicyDocument={Encode(policy)}");

        var role = await IamAsync("Action=GetRole&RoleName=iam-e2e-role");
        var rolePolicy = await IamAsync("Action=GetRolePolicy&RoleName=iam-e2e-role&PolicyName=encrypt");

        Assert.Equal(Uri.EscapeDataString(TrustPolicy), role.Value("AssumeRolePolicyDocument"));
        Assert.Equal(("7200", "deploys", "arn:aws:iam::111122223333:role/iam-e2e-role"), (role.Value("MaxSessionDuration"), role.Value("Description"), role.Value("Arn")));
        Assert.Equal(Uri.EscapeDataString(policy), rolePolicy.Value("PolicyDocument"));
        Assert.Equal("iam-e2e-role", rolePolicy.Value("RoleName"));
    }

    [Fact]
    public async Task CreateAccessKey_is_audited_from_iam_amazonaws_com_without_the_secret()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await IamAsync("Action=CreateUser&UserName=iam-e2e-audit");

        var created = await IamAsync("Action=CreateAccessKey&UserName=iam-e2e-audit");

        var events = await CloudTrail.LookupAllAsync(_server.Endpoint, new JsonObject { ["StartTime"] = CloudTrail.EpochSeconds(before) });
        var record = CloudTrail.Record(Assert.Single(events, e => CloudTrail.RequestId(CloudTrail.Record(e)) == created.RequestId));
        Assert.Equal("iam.amazonaws.com", record.GetProperty("eventSource").GetString());
        Assert.Equal("CreateAccessKey", record.GetProperty("eventName").GetString());
        Assert.Equal(created.Value("AccessKeyId"), record.GetProperty("responseElements").GetProperty("accessKey").GetProperty("accessKeyId").GetString());
        Assert.DoesNotContain(created.Value("SecretAccessKey")!, string.Join('\n', events.Select(e => e.GetRawText())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_are_listed_in_pages_with_IsTruncated_and_Marker()
    {
        foreach (var name in new[] { "iam-e2e-page-a", "iam-e2e-page-b", "iam-e2e-page-c" })
        {
            await IamAsync($"Action=CreateUser&UserName={name}&Path=%2Fpaged%2F");
        }

        var first = await IamAsync("Action=ListUsers&PathPrefix=%2Fpaged%2F&MaxItems=2");
        var second = await IamAsync($"Action=ListUsers&PathPrefix=%2Fpaged%2F&MaxItems=2&Marker={Encode(first.Value("Marker")!)}");

        Assert.Equal(["iam-e2e-page-a", "iam-e2e-page-b"], first.Xml.Descendants().Where(e => e.Name.LocalName == "UserName").Select(e => e.Value));
        Assert.Equal("true", first.Value("IsTruncated"));
        Assert.Equal(["iam-e2e-page-c"], second.Xml.Descendants().Where(e => e.Name.LocalName == "UserName").Select(e => e.Value));
        Assert.Equal("false", second.Value("IsTruncated"));
    }

    [Fact]
    public async Task A_bad_user_name_fails_with_the_models_validation_message()
    {
        var answer = await IamAsync("Action=CreateUser&UserName=bad%21name");

        Assert.Equal(
            "1 validation error detected: Value 'bad!name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
            answer.AssertError(400, "ValidationError"));
    }
}
