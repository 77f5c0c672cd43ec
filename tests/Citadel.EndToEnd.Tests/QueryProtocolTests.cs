using System.Text.Json;
using System.Text.Json.Nodes;

namespace Citadel.EndToEnd.Tests;

/// <summary>AWS's query protocol (STS, IAM) on the KMS endpoint: routing by the signed service, XML answers, AWS's errors.</summary>
[Trait("Issue", "23")]
public sealed class QueryProtocolTests(AuditServerFixture fixture) : IClassFixture<AuditServerFixture>
{
    private readonly CitadelServer _server = fixture.Server;

    private const string CallerIdentity = "Action=GetCallerIdentity&Version=2011-06-15";

    [Fact]
    public async Task GetCallerIdentity_as_the_account_root_answers_its_account_and_arn_in_STS_XML()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity);

        Assert.Equal(200, answer.Status);
        Assert.Equal("text/xml", answer.ContentType);
        Assert.Equal(
            $"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><UserId>111122223333</UserId><Account>111122223333</Account><Arn>arn:aws:iam::111122223333:root</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>{answer.RequestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>""",
            answer.Body);
    }

    [Fact]
    public async Task GetCallerIdentity_as_a_user_without_any_policy_answers_the_user()
    {
        var user = await _server.CreateUserAsync("query-nobody");

        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity, user.AccessKeyId, user.Secret);

        Assert.Equal(200, answer.Status);
        Assert.Equal(user.PrincipalId, answer.Value("UserId"));
        Assert.Equal("111122223333", answer.Value("Account"));
        Assert.Equal("arn:aws:iam::111122223333:user/query-nobody", answer.Value("Arn"));
    }

    [Theory]
    [InlineData("Action=GetCallerIdentity", "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED")]
    [InlineData("Action=GetCallerIdentity&Version=2011-06-14", "Could not find operation GetCallerIdentity for version 2011-06-14")]
    [InlineData("Action=GetSessionTokenX&Version=2011-06-15", "Could not find operation GetSessionTokenX for version 2011-06-15")]
    [InlineData("Action=Encrypt&Version=2011-06-15", "Could not find operation Encrypt for version 2011-06-15")]
    public async Task An_unknown_action_or_version_fails_with_InvalidAction(string form, string message)
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, form);

        Assert.Equal(message, answer.AssertError(400, "InvalidAction"));
    }

    [Fact]
    public async Task A_body_without_an_Action_fails_with_MissingAction()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, "Version=2011-06-15");

        Assert.Equal("Missing Action", answer.AssertError(400, "MissingAction"));
    }

    [Fact]
    public async Task A_parameter_sent_twice_fails_as_malformed_and_names_the_parameter()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, "Action=GetCallerIdentity&Action=AssumeRole&Version=2011-06-15");

        Assert.Equal("The parameter Action appears more than once in the request.", answer.AssertError(400, "MalformedInput"));
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_fails_as_malformed()
    {
        var (status, body, _) = await SignedHttp.SendAsync(_server.Endpoint, null, [0x41, 0x3D, 0xFF, 0xFE], service: "sts", contentType: QueryHttp.Form);

        Assert.Equal(400, status);
        Assert.Contains("<Code>MalformedInput</Code>", body, StringComparison.Ordinal);
        Assert.Contains("<Message>The request body is not UTF-8 text", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_fails_with_413_before_it_is_parsed()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity + "&Padding=" + new string('a', 1024 * 1024));

        Assert.Equal("Request body exceeds the limit of 1048576 bytes.", answer.AssertError(413, "RequestEntityTooLarge"));
    }

    [Fact]
    public async Task An_unsigned_request_fails_with_MissingAuthenticationToken()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity, sign: false);

        answer.AssertError(403, "MissingAuthenticationToken");
    }

    [Fact]
    public async Task A_wrong_secret_fails_with_SignatureDoesNotMatch()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity, secret: "wrong");

        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", answer.AssertError(403, "SignatureDoesNotMatch"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_access_key_fails_with_InvalidClientTokenId()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity, accessKeyId: "AKIAUNKNOWNUNKNOWN00");

        Assert.Equal("The security token included in the request is invalid.", answer.AssertError(403, "InvalidClientTokenId"));
    }

    [Fact]
    public async Task A_form_signed_for_kms_is_refused_for_the_wrong_service_scope()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity, service: "kms");

        Assert.Equal("Credential should be scoped to correct service: 'sts'. ", answer.AssertError(403, "SignatureDoesNotMatch"));
    }

    [Fact]
    public async Task A_request_signed_for_iam_is_dispatched_to_iam_and_does_not_reach_STS_operations()
    {
        var answer = await QueryHttp.SendAsync(_server.Endpoint, "Action=GetCallerIdentity&Version=2010-05-08", service: "iam");

        Assert.Equal("Could not find operation GetCallerIdentity for version 2010-05-08", answer.AssertError(400, "InvalidAction"));
        Assert.Contains("xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_request_leaves_one_audit_event_with_eventSource_sts()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var answer = await QueryHttp.SendAsync(_server.Endpoint, CallerIdentity);

        var events = await CloudTrail.LookupAllAsync(_server.Endpoint, new JsonObject { ["StartTime"] = CloudTrail.EpochSeconds(before) });
        var mine = events.Select(CloudTrail.Record).Where(r => CloudTrail.RequestId(r) == answer.RequestId).ToList();
        var record = Assert.Single(mine);
        Assert.Equal("sts.amazonaws.com", record.GetProperty("eventSource").GetString());
        Assert.Equal("GetCallerIdentity", record.GetProperty("eventName").GetString());
        Assert.Equal("arn:aws:iam::111122223333:root", record.GetProperty("userIdentity").GetProperty("arn").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("requestParameters").ValueKind);
        Assert.True(record.GetProperty("readOnly").GetBoolean());
    }
}
