using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>STS over the query protocol: AssumeRole against trust policies, and the sessions it makes, used with KMS.</summary>
[Trait("Issue", "23")]
public sealed class StsTests(StsFixture fixture) : IClassFixture<StsFixture>
{
    private readonly StsFixture _sts = fixture;
    private readonly CitadelServer _server = fixture.Server;

    private static readonly string AllowKms = Users.Allow("kms:*");

    [Fact]
    public async Task AssumeRole_by_a_user_the_trust_policy_names_returns_ASIA_credentials_that_encrypt_with_the_roles_permissions()
    {
        var user = await _server.CreateUserAsync("sts-caller-1");
        var (roleArn, roleId) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), AllowKms);
        var key = await KeyAsync();

        var answer = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, "build-42");

        var keys = StsFixture.Keys(answer);
        Assert.Matches("^ASIA[A-Z2-7]{16}$", keys.AccessKeyId);
        Assert.Equal(40, keys.SecretAccessKey.Length);
        Assert.Equal($"{roleId}:build-42", keys.AssumedRoleId);
        Assert.Equal($"arn:aws:sts::111122223333:assumed-role/{roleArn.Split('/')[^1]}/build-42", keys.Arn);
        var expiration = DateTimeOffset.Parse(keys.Expiration, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(58), TimeSpan.FromMinutes(61));
        using var kms = _sts.Kms(keys);
        var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream("by a session"u8.ToArray()) });
        Assert.Equal(key, encrypted.KeyId.Split('/')[^1]);
    }

    [Fact]
    public async Task GetCallerIdentity_with_session_credentials_answers_the_assumed_role_session()
    {
        var user = await _server.CreateUserAsync("sts-caller-2");
        var (roleArn, roleId) = await _sts.RoleAsync(StsFixture.Trust(user.Arn));
        var keys = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, "who"));

        var answer = await QueryHttp.SendAsync(_server.Endpoint, "Action=GetCallerIdentity&Version=2011-06-15", keys.AccessKeyId, keys.SecretAccessKey, headers: Token(keys));

        Assert.Equal(200, answer.Status);
        Assert.Equal($"{roleId}:who", answer.Value("UserId"));
        Assert.Equal("111122223333", answer.Value("Account"));
        Assert.Equal(keys.Arn, answer.Value("Arn"));
    }

    [Fact]
    public async Task A_trust_policy_that_does_not_name_the_caller_refuses_AssumeRole_with_AccessDenied()
    {
        var trusted = await _server.CreateUserAsync("sts-trusted");
        var other = await _server.CreateUserAsync("sts-untrusted", Users.Allow("sts:AssumeRole"));
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(trusted.Arn));

        var answer = await StsFixture.AssumeRoleAsync(_server.Endpoint, other.AccessKeyId, other.Secret, roleArn);

        Assert.Equal(
            $"User: {other.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn} because no resource-based policy allows the sts:AssumeRole action",
            answer.AssertError(403, "AccessDenied"));
    }

    [Fact]
    public async Task A_trust_policy_naming_the_account_needs_an_identity_policy_allowing_sts_AssumeRole()
    {
        var without = await _server.CreateUserAsync("sts-account-no");
        var with = await _server.CreateUserAsync("sts-account-yes", Users.Allow("sts:AssumeRole"));
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust("arn:aws:iam::111122223333:root"));

        var refused = await StsFixture.AssumeRoleAsync(_server.Endpoint, without.AccessKeyId, without.Secret, roleArn);
        var allowed = await StsFixture.AssumeRoleAsync(_server.Endpoint, with.AccessKeyId, with.Secret, roleArn);

        refused.AssertError(403, "AccessDenied");
        Assert.Equal(200, allowed.Status);
    }

    [Fact]
    public async Task A_role_that_does_not_exist_is_refused_like_one_that_does_not_trust_the_caller()
    {
        var user = await _server.CreateUserAsync("sts-no-role", Users.Allow("sts:AssumeRole"));

        var answer = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, "arn:aws:iam::111122223333:role/nobody-here");

        answer.AssertError(403, "AccessDenied");
    }

    [Fact]
    public async Task A_wrong_or_missing_ExternalId_is_refused_and_the_right_one_is_accepted()
    {
        var user = await _server.CreateUserAsync("sts-external");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn, """{"StringEquals":{"sts:ExternalId":"tenant-7"}}"""));

        var wrong = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&ExternalId=tenant-8");
        var missing = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn);
        var right = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&ExternalId=tenant-7");

        wrong.AssertError(403, "AccessDenied");
        missing.AssertError(403, "AccessDenied");
        Assert.Equal(200, right.Status);
    }

    [Fact]
    public async Task DurationSeconds_above_the_roles_maximum_fails_and_up_to_it_succeeds()
    {
        var user = await _server.CreateUserAsync("sts-duration");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), maxSessionDuration: 7200);

        var over = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&DurationSeconds=7201");
        var within = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&DurationSeconds=7200");

        Assert.Equal("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", over.AssertError(400, "ValidationError"));
        var expiration = DateTimeOffset.Parse(StsFixture.Keys(within).Expiration, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(118), TimeSpan.FromMinutes(121));
    }

    [Theory]
    [InlineData("&DurationSeconds=899", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")]
    [InlineData("&DurationSeconds=ten", "1 validation error detected: Value 'ten' at 'durationSeconds' failed to satisfy constraint: Member must be a number")]
    [InlineData("&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess", "Citadel has no managed policies, so PolicyArns is not supported: pass the session policy inline in Policy.")]
    public async Task Invalid_AssumeRole_parameters_fail_with_ValidationError_before_authorization(string extra, string message)
    {
        var user = await _server.CreateUserAsync($"sts-invalid-{Guid.NewGuid():N}"[..30]);

        var answer = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, "arn:aws:iam::111122223333:role/any", extra: extra);

        Assert.Equal(message, answer.AssertError(400, "ValidationError"));
    }

    [Fact]
    public async Task A_session_name_of_one_character_fails_with_AWSs_length_message()
    {
        var answer = await StsFixture.AssumeRoleAsync(_server.Endpoint, "test", "test", "arn:aws:iam::111122223333:role/any", sessionName: "x");

        Assert.Equal("1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2", answer.AssertError(400, "ValidationError"));
    }

    [Fact]
    public async Task A_session_policy_narrows_the_roles_permissions()
    {
        var user = await _server.CreateUserAsync("sts-narrow");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), AllowKms);
        var key = await KeyAsync();
        var sessionPolicy = Uri.EscapeDataString(Users.Allow("kms:DescribeKey"));
        var keys = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&Policy=" + sessionPolicy));
        using var kms = _sts.Kms(keys);

        await kms.DescribeKeyAsync(key);
        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) }));

        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Equal($"User: {keys.Arn} is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:us-east-1:111122223333:key/{key} because no session policy allows the kms:Encrypt action", denied.Message);
    }

    [Fact]
    public async Task A_session_policy_cannot_widen_the_roles_permissions()
    {
        var user = await _server.CreateUserAsync("sts-widen");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), Users.Allow("kms:DescribeKey"));
        var key = await KeyAsync();
        var keys = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&Policy=" + Uri.EscapeDataString(AllowKms)));
        using var kms = _sts.Kms(keys);

        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) }));

        Assert.Equal($"User: {keys.Arn} is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:us-east-1:111122223333:key/{key} because no identity-based policy allows the kms:Encrypt action", denied.Message);
    }

    [Fact]
    public async Task A_malformed_session_policy_fails_with_MalformedPolicyDocument()
    {
        var user = await _server.CreateUserAsync("sts-malformed");

        var answer = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, "arn:aws:iam::111122223333:role/any", extra: "&Policy=%7Bnot-json");

        Assert.Equal("The session policy is not valid: The policy is not valid JSON.", answer.AssertError(400, "MalformedPolicyDocument"));
    }

    [Fact]
    public async Task A_session_token_with_one_byte_changed_fails_with_UnrecognizedClient()
    {
        var keys = await SessionAsync("sts-tamper");
        var bytes = Convert.FromBase64String(keys.SessionToken);
        bytes[bytes.Length / 2] ^= 0x01;
        using var kms = _sts.Kms(keys with { SessionToken = Convert.ToBase64String(bytes) });

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));

        Assert.Equal("UnrecognizedClientException", error.ErrorCode);
        Assert.Equal("The security token included in the request is invalid.", error.Message);
    }

    [Fact]
    public async Task A_session_token_used_with_another_sessions_access_key_fails_with_UnrecognizedClient()
    {
        var first = await SessionAsync("sts-swap-1");
        var second = await SessionAsync("sts-swap-2");
        using var kms = _sts.Kms(first with { SessionToken = second.SessionToken });

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));

        Assert.Equal("UnrecognizedClientException", error.ErrorCode);
    }

    [Fact]
    public async Task A_long_term_access_key_with_a_genuine_session_token_fails_with_UnrecognizedClient()
    {
        var keys = await SessionAsync("sts-longterm");
        var user = await _server.CreateUserAsync("sts-longterm-key", AllowKms);
        using var kms = _sts.Kms(new SessionKeys(user.AccessKeyId, user.Secret, keys.SessionToken, "", "", ""));

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));

        Assert.Equal("UnrecognizedClientException", error.ErrorCode);
    }

    [Fact]
    public async Task A_session_access_key_without_its_token_fails_with_UnrecognizedClient()
    {
        var keys = await SessionAsync("sts-no-token");
        using var kms = _server.Client(keys.AccessKeyId, keys.SecretAccessKey);

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));

        Assert.Equal("UnrecognizedClientException", error.ErrorCode);
    }

    [Fact]
    public async Task Sessions_of_a_deleted_role_are_refused()
    {
        var user = await _server.CreateUserAsync("sts-deleted-role");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), AllowKms);
        var keys = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn));
        using var kms = _sts.Kms(keys);
        await kms.ListKeysAsync(new ListKeysRequest());

        Assert.True((await _sts.Identities.DeletePrincipalAsync(roleArn, CancellationToken.None)).IsSuccess);

        await Kms.EventuallyAsync(
            async () =>
            {
                try
                {
                    await kms.ListKeysAsync(new ListKeysRequest());
                    return false;
                }
                catch (AmazonKeyManagementServiceException e) when (e.ErrorCode == "UnrecognizedClientException")
                {
                    return true;
                }
            },
            "the deleted role's session is refused");
    }

    [Fact]
    public async Task Role_chaining_allows_at_most_one_hour()
    {
        var user = await _server.CreateUserAsync("sts-chain");
        var (firstRole, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), Users.Allow("sts:AssumeRole"), maxSessionDuration: 43200);
        var (secondRole, _) = await _sts.RoleAsync(StsFixture.Trust(firstRole), maxSessionDuration: 43200);
        var first = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, firstRole));

        var tooLong = await StsFixture.AssumeRoleAsync(_server.Endpoint, first.AccessKeyId, first.SecretAccessKey, secondRole, extra: "&DurationSeconds=3601", sessionToken: first.SessionToken);
        var chained = await StsFixture.AssumeRoleAsync(_server.Endpoint, first.AccessKeyId, first.SecretAccessKey, secondRole, sessionName: "hop2", sessionToken: first.SessionToken);

        Assert.Equal("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", tooLong.AssertError(400, "ValidationError"));
        Assert.EndsWith("/hop2", StsFixture.Keys(chained).Arn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_tags_are_aws_PrincipalTag_in_the_roles_policies()
    {
        var user = await _server.CreateUserAsync("sts-tags");
        var permissions = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}""";
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), permissions);
        var key = await KeyAsync();
        var blue = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&Tags.member.1.Key=team&Tags.member.1.Value=blue"));
        var red = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, extra: "&Tags.member.1.Key=team&Tags.member.1.Value=red"));
        using var blueKms = _sts.Kms(blue);
        using var redKms = _sts.Kms(red);

        await blueKms.DescribeKeyAsync(key);
        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => redKms.DescribeKeyAsync(key));

        Assert.Equal("AccessDeniedException", denied.ErrorCode);
    }

    [Fact]
    public async Task A_grant_to_the_role_allows_its_sessions()
    {
        var user = await _server.CreateUserAsync("sts-grant");
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn));
        var key = await KeyAsync();
        using var admin = _server.Client();
        await admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = roleArn, Operations = ["Encrypt"] });
        var keys = StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn));
        using var kms = _sts.Kms(keys);

        var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([7]) });

        Assert.NotNull(encrypted.CiphertextBlob);
    }

    [Fact]
    public async Task A_session_request_is_audited_as_AssumedRole_with_its_session_context_and_AssumeRole_without_secrets()
    {
        var user = await _server.CreateUserAsync("sts-audit");
        var (roleArn, roleId) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), AllowKms);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var assumed = await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn, "audited", "&DurationSeconds=900");
        var keys = StsFixture.Keys(assumed);
        using var kms = _sts.Kms(keys);
        var listed = await kms.ListKeysAsync(new ListKeysRequest());

        var events = (await CloudTrail.LookupAllAsync(_server.Endpoint, new JsonObject { ["StartTime"] = CloudTrail.EpochSeconds(before) })).Select(CloudTrail.Record).ToList();

        var assumeRole = Assert.Single(events, e => CloudTrail.RequestId(e) == assumed.RequestId);
        Assert.Equal("sts.amazonaws.com", assumeRole.GetProperty("eventSource").GetString());
        CloudTrail.JsonEqual($$"""{"roleArn":"{{roleArn}}","roleSessionName":"audited","durationSeconds":"900"}""", assumeRole.GetProperty("requestParameters"));
        CloudTrail.JsonEqual(
            $$$"""{"credentials":{"accessKeyId":"{{{keys.AccessKeyId}}}","expiration":"{{{keys.Expiration}}}"},"assumedRoleUser":{"assumedRoleId":"{{{keys.AssumedRoleId}}}","arn":"{{{keys.Arn}}}"}}""",
            assumeRole.GetProperty("responseElements"));
        var text = assumeRole.GetRawText();
        Assert.DoesNotContain(keys.SecretAccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.SessionToken[..40], text, StringComparison.Ordinal);
        var listKeys = Assert.Single(events, e => CloudTrail.RequestId(e) == listed.ResponseMetadata.RequestId);
        var creationDate = listKeys.GetProperty("userIdentity").GetProperty("sessionContext").GetProperty("attributes").GetProperty("creationDate").GetString();
        CloudTrail.JsonEqual(
            $$"""
            {
              "type": "AssumedRole", "principalId": "{{roleId}}:audited", "arn": "{{keys.Arn}}", "accountId": "111122223333", "accessKeyId": "{{keys.AccessKeyId}}",
              "sessionContext": {
                "sessionIssuer": { "type": "Role", "principalId": "{{roleId}}", "arn": "{{roleArn}}", "accountId": "111122223333", "userName": "{{roleArn.Split('/')[^1]}}" },
                "attributes": { "creationDate": "{{creationDate}}", "mfaAuthenticated": "false" } }
            }
            """,
            listKeys.GetProperty("userIdentity"));
        Assert.InRange(DateTimeOffset.Parse(creationDate!, System.Globalization.CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    private async Task<SessionKeys> SessionAsync(string userName)
    {
        var user = await _server.CreateUserAsync(userName);
        var (roleArn, _) = await _sts.RoleAsync(StsFixture.Trust(user.Arn), AllowKms);
        return StsFixture.Keys(await StsFixture.AssumeRoleAsync(_server.Endpoint, user.AccessKeyId, user.Secret, roleArn));
    }

    private async Task<string> KeyAsync()
    {
        using var admin = _server.Client();
        return (await admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
    }

    private static Dictionary<string, string> Token(SessionKeys keys) => new() { ["X-Amz-Security-Token"] = keys.SessionToken };
}
