using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A known trail for the LookupEvents tests: two keys, the account root and an IAM user, in two phases split by
/// a point in time, and one event of another account. LookupEvents calls are not themselves recorded, so the
/// tests read this trail without changing it.
/// </summary>
public sealed class LookupDataset : IAsyncLifetime
{
    public CitadelServer Server { get; private set; } = null!;

    public KeyMetadata KeyA { get; private set; } = null!;

    public KeyMetadata KeyB { get; private set; } = null!;

    public TestUser Reader { get; private set; } = null!;

    /// <summary>Between the last event of phase 1 and the first of phase 2.</summary>
    public DateTimeOffset Split { get; private set; }

    /// <summary>The account's requests in the order they were made (oldest first).</summary>
    public List<Made> Requests { get; } = [];

    public string OtherAccountRequestId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await CitadelServer.StartAsync();
        Reader = await Server.CreateUserAsync("audit-reader", Users.Allow("kms:*", "cloudtrail:LookupEvents"));
        using var root = Server.Client();
        using var reader = Server.Client(Reader);

        var a = await root.CreateKeyAsync(new CreateKeyRequest());
        KeyA = a.KeyMetadata;
        Add(a, "CreateKey", "root", KeyA.Arn, readOnly: false, phase: 1);
        var b = await root.CreateKeyAsync(new CreateKeyRequest());
        KeyB = b.KeyMetadata;
        Add(b, "CreateKey", "root", KeyB.Arn, readOnly: false, phase: 1);
        for (var i = 0; i < 6; i++)
        {
            Add(await root.EncryptAsync(KeyA.KeyId, [(byte)i]), "Encrypt", "root", KeyA.Arn, readOnly: true, phase: 1);
        }

        Add(await root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = KeyA.KeyId }), "DescribeKey", "root", KeyA.Arn, readOnly: true, phase: 1);
        Add(await root.EncryptAsync(KeyB.KeyId, [1]), "Encrypt", "root", KeyB.Arn, readOnly: true, phase: 1);

        await Task.Delay(50);
        Split = DateTimeOffset.UtcNow;
        await Task.Delay(50);

        for (var i = 0; i < 3; i++)
        {
            Add(await reader.EncryptAsync(KeyA.KeyId, [(byte)i]), "Encrypt", "reader", KeyA.Arn, readOnly: true, phase: 2);
        }

        Add(await reader.DescribeKeyAsync(new DescribeKeyRequest { KeyId = KeyB.KeyId }), "DescribeKey", "reader", KeyB.Arn, readOnly: true, phase: 2);
        Add(await reader.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = KeyB.KeyId, Description = "b" }), "UpdateKeyDescription", "reader", KeyB.Arn, readOnly: false, phase: 2);
        for (var i = 0; i < 4; i++)
        {
            Add(await root.EncryptAsync(KeyA.KeyId, [(byte)i]), "Encrypt", "root", KeyA.Arn, readOnly: true, phase: 2);
        }

        using var other = await Server.OtherAccountClientAsync();
        OtherAccountRequestId = (await other.CreateKeyAsync(new CreateKeyRequest())).ResponseMetadata.RequestId;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>The request ids of <paramref name="which"/>, newest first, as LookupEvents returns them.</summary>
    public List<string> NewestFirst(Func<Made, bool> which) => Requests.Where(which).Reverse().Select(r => r.RequestId).ToList();

    private void Add(Amazon.Runtime.AmazonWebServiceResponse response, string eventName, string who, string keyArn, bool readOnly, int phase) =>
        Requests.Add(new Made(response.ResponseMetadata.RequestId, eventName, who, keyArn, readOnly, phase));

    public sealed record Made(string RequestId, string EventName, string Who, string KeyArn, bool ReadOnly, int Phase);
}

[Trait("Issue", "4")]
public sealed class AuditLookupTests(LookupDataset data) : IClassFixture<LookupDataset>
{
    private readonly string _endpoint = data.Server.Endpoint;

    [Fact]
    public async Task Without_attributes_LookupEvents_returns_every_event_of_the_account_newest_first()
    {
        var events = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject());

        Assert.Equal(data.NewestFirst(_ => true), RequestIds(events));
        Assert.All(events, e => Assert.Equal("111122223333", CloudTrail.Record(e).GetProperty("recipientAccountId").GetString()));
    }

    [Theory]
    [InlineData("EventName")]
    [InlineData("ResourceName")]
    [InlineData("Username")]
    [InlineData("UsernameRoot")]
    [InlineData("AccessKeyId")]
    [InlineData("ReadOnlyFalse")]
    [InlineData("ReadOnlyTrue")]
    [InlineData("EventSource")]
    public async Task Each_lookup_attribute_selects_exactly_the_matching_events(string filter)
    {
        var (key, value, expected) = filter switch
        {
            "EventName" => ("EventName", "DescribeKey", data.NewestFirst(r => r.EventName == "DescribeKey")),
            "ResourceName" => ("ResourceName", data.KeyB.Arn, data.NewestFirst(r => r.KeyArn == data.KeyB.Arn)),
            "Username" => ("Username", "audit-reader", data.NewestFirst(r => r.Who == "reader")),
            "UsernameRoot" => ("Username", "root", data.NewestFirst(r => r.Who == "root")),
            "AccessKeyId" => ("AccessKeyId", data.Reader.AccessKeyId, data.NewestFirst(r => r.Who == "reader")),
            "ReadOnlyFalse" => ("ReadOnly", "false", data.NewestFirst(r => !r.ReadOnly)),
            "ReadOnlyTrue" => ("ReadOnly", "true", data.NewestFirst(r => r.ReadOnly)),
            "EventSource" => ("EventSource", "kms.amazonaws.com", data.NewestFirst(_ => true)),
            _ => throw new ArgumentOutOfRangeException(nameof(filter)),
        };

        var events = await CloudTrail.LookupAllAsync(_endpoint, CloudTrail.Attribute(key, value));

        Assert.Equal(expected, RequestIds(events));
    }

    [Fact]
    public async Task An_EventId_lookup_returns_that_one_event()
    {
        var all = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject());
        var chosen = all[5];

        var events = await CloudTrail.LookupAllAsync(_endpoint, CloudTrail.Attribute("EventId", chosen.GetProperty("EventId").GetString()!));

        var only = Assert.Single(events);
        Assert.Equal(chosen.GetRawText(), only.GetRawText());
    }

    [Fact]
    public async Task An_attribute_value_nothing_has_selects_no_events()
    {
        var result = await CloudTrail.LookupAsync(_endpoint, CloudTrail.Attribute("EventSource", "ec2.amazonaws.com"));

        Assert.Equal(200, result.Status);
        Assert.Empty(result.Events);
        Assert.Null(result.NextToken);
    }

    [Fact]
    public async Task StartTime_and_EndTime_bound_the_events_returned()
    {
        var split = CloudTrail.EpochSeconds(data.Split);

        var later = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject { ["StartTime"] = split });
        var earlier = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject { ["EndTime"] = split });
        var laterByRoot = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject
        {
            ["StartTime"] = split,
            ["EndTime"] = CloudTrail.EpochSeconds(DateTimeOffset.UtcNow.AddMinutes(1)),
            ["LookupAttributes"] = new JsonArray(new JsonObject { ["AttributeKey"] = "Username", ["AttributeValue"] = "root" }),
        });

        Assert.Equal(data.NewestFirst(r => r.Phase == 2), RequestIds(later));
        Assert.Equal(data.NewestFirst(r => r.Phase == 1), RequestIds(earlier));
        Assert.Equal(data.NewestFirst(r => r.Phase == 2 && r.Who == "root"), RequestIds(laterByRoot));
    }

    [Fact]
    public async Task Pages_of_MaxResults_events_joined_by_NextToken_return_every_event_once_in_order()
    {
        var pages = new List<LookupResult>();
        string? token = null;
        do
        {
            var request = new JsonObject { ["MaxResults"] = 4 };
            if (token is not null)
            {
                request["NextToken"] = token;
            }

            var page = await CloudTrail.LookupAsync(_endpoint, request);
            pages.Add(page);
            token = page.NextToken;
        }
        while (token is not null && pages.Count < 100);

        var expected = data.NewestFirst(_ => true);
        Assert.Equal((expected.Count + 3) / 4, pages.Count);
        Assert.All(pages.SkipLast(1), p => Assert.Equal(4, p.Events.Count));
        Assert.Equal(expected, RequestIds(pages.SelectMany(p => p.Events)));
        var times = pages.SelectMany(p => p.Events).Select(e => e.GetProperty("EventTime").GetDouble()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public async Task Paging_a_filtered_lookup_keeps_the_filter_on_every_page()
    {
        var request = CloudTrail.Attribute("ResourceName", data.KeyA.Arn);
        request["MaxResults"] = 3;

        var events = await CloudTrail.LookupAllAsync(_endpoint, request);

        Assert.Equal(data.NewestFirst(r => r.KeyArn == data.KeyA.Arn), RequestIds(events));
    }

    [Theory]
    [InlineData(
        """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Encrypt"},{"AttributeKey":"Username","AttributeValue":"root"}]}""",
        "InvalidLookupAttributesException",
        "You cannot specify more than one lookup attribute.")]
    [InlineData("""{"MaxResults":51}""", "InvalidMaxResultsException", "MaxResults must be between 1 and 50.")]
    [InlineData("""{"MaxResults":0}""", "InvalidMaxResultsException", "MaxResults must be between 1 and 50.")]
    [InlineData("""{"NextToken":"not-a-token"}""", "InvalidNextTokenException", "The NextToken is not valid. Use the token from the previous LookupEvents response.")]
    [InlineData("""{"StartTime":1700000100,"EndTime":1700000000}""", "InvalidTimeRangeException", "The start time must be earlier than the end time.")]
    public async Task Invalid_LookupEvents_requests_fail_with_CloudTrails_exception(string body, string type, string message)
    {
        var result = await CloudTrail.LookupAsync(_endpoint, JsonNode.Parse(body)!.AsObject());

        Assert.Equal(400, result.Status);
        Assert.Equal(type, result.ErrorType);
        Assert.Equal(message, result.ErrorMessage);
    }

    [Fact]
    public async Task A_principal_of_another_account_sees_only_that_accounts_events()
    {
        var all = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject(), Kms.OtherAccessKeyId, Kms.OtherSecret);
        var byKey = await CloudTrail.LookupAllAsync(_endpoint, CloudTrail.Attribute("ResourceName", data.KeyA.Arn), Kms.OtherAccessKeyId, Kms.OtherSecret);
        var byUser = await CloudTrail.LookupAllAsync(_endpoint, CloudTrail.Attribute("Username", "audit-reader"), Kms.OtherAccessKeyId, Kms.OtherSecret);

        var only = Assert.Single(all);
        Assert.Equal(data.OtherAccountRequestId, CloudTrail.RequestId(CloudTrail.Record(only)));
        Assert.Equal("444455556666", CloudTrail.Record(only).GetProperty("recipientAccountId").GetString());
        Assert.Empty(byKey);
        Assert.Empty(byUser);
    }

    [Fact]
    public async Task An_IAM_user_whose_policies_allow_LookupEvents_sees_the_whole_account()
    {
        var events = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject(), data.Reader.AccessKeyId, data.Reader.Secret);

        Assert.Equal(data.NewestFirst(_ => true), RequestIds(events));
    }

    [Fact]
    public async Task An_IAM_user_without_cloudtrail_LookupEvents_in_its_policies_is_denied()
    {
        var user = await data.Server.CreateUserAsync("audit-kms-only", Users.Allow("kms:*"));

        var result = await CloudTrail.LookupAsync(_endpoint, new JsonObject(), user.AccessKeyId, user.Secret);

        Assert.Equal(400, result.Status);
        Assert.Equal("AccessDeniedException", result.ErrorType);
        Assert.Equal(
            "User: arn:aws:iam::111122223333:user/audit-kms-only is not authorized to perform: cloudtrail:LookupEvents on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action",
            result.ErrorMessage);
        Assert.False(result.Body.TryGetProperty("Events", out _));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData("EventId")]
    [InlineData("EventName")]
    [InlineData("ReadOnly")]
    [InlineData("Username")]
    [InlineData("ResourceType")]
    [InlineData("ResourceName")]
    [InlineData("EventSource")]
    [InlineData("AccessKeyId")]
    public async Task A_principal_of_another_account_finds_none_of_this_accounts_events_by_any_attribute(string key)
    {
        var mine = await CloudTrail.LookupAllAsync(_endpoint, new JsonObject());
        var value = key switch
        {
            "EventId" => CloudTrail.Record(mine[0]).GetProperty("eventID").GetString()!,
            "EventName" => "Encrypt",
            "ReadOnly" => "true",
            "Username" => "audit-reader",
            "ResourceType" => "AWS::KMS::Key",
            "ResourceName" => data.KeyA.Arn,
            "EventSource" => "kms.amazonaws.com",
            _ => data.Reader.AccessKeyId,
        };

        var events = await CloudTrail.LookupAllAsync(_endpoint, CloudTrail.Attribute(key, value), Kms.OtherAccessKeyId, Kms.OtherSecret);

        Assert.All(events, e => Assert.Equal("444455556666", CloudTrail.Record(e).GetProperty("recipientAccountId").GetString()));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_NextToken_of_one_account_replayed_by_another_returns_none_of_the_first_accounts_events()
    {
        var first = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["MaxResults"] = 2 });
        var token = first.Body.GetProperty("NextToken").GetString()!;

        var replayed = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["MaxResults"] = 50, ["NextToken"] = token }, Kms.OtherAccessKeyId, Kms.OtherSecret);

        Assert.Equal(400, replayed.Status);
        Assert.Equal(("InvalidNextTokenException", "The NextToken is not valid. Use the token from the previous LookupEvents response."), (replayed.ErrorType, replayed.ErrorMessage));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData("""{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"DescribeKey"}]}""")]
    [InlineData("""{}""")]
    [InlineData("""{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Encrypt"}],"StartTime":1000000000}""")]
    public async Task A_NextToken_used_with_other_parameters_than_the_request_that_returned_it_fails_with_InvalidNextToken(string body)
    {
        var first = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["MaxResults"] = 2, ["LookupAttributes"] = new JsonArray(new JsonObject { ["AttributeKey"] = "EventName", ["AttributeValue"] = "Encrypt" }) });
        var request = JsonNode.Parse(body)!.AsObject();
        request["NextToken"] = first.Body.GetProperty("NextToken").GetString();

        var result = await CloudTrail.LookupAsync(_endpoint, request);

        // CloudTrail: "a token that was previously used in a request with different parameters" (InvalidNextTokenException).
        Assert.Equal(400, result.Status);
        Assert.Equal(("InvalidNextTokenException", "The NextToken is not valid. Use the token from the previous LookupEvents response."), (result.ErrorType, result.ErrorMessage));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_NextToken_the_server_did_not_return_naming_a_cursor_of_the_callers_choosing_fails_with_InvalidNextToken()
    {
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("9999999999999|local|999999"));

        var result = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["NextToken"] = forged });

        Assert.Equal(400, result.Status);
        Assert.Equal("InvalidNextTokenException", result.ErrorType);
    }

    /// <summary>
    /// Tokens were bound to their lookup by a plain SHA-256 of its parameters, which the caller knows: anyone could
    /// make a token for a position of their choosing in their own lookup. Now the tag is an HMAC under a key derived
    /// from the root key, and such a token (of the old format, or the new length) is refused; the server's own still pages.
    /// </summary>
    [Fact]
    [Trait("Issue", "17")]
    public async Task A_NextToken_forged_with_a_plain_SHA_256_of_the_lookups_own_parameters_fails_with_InvalidNextToken()
    {
        var first = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["MaxResults"] = 2 });
        var token = first.Body.GetProperty("NextToken").GetString()!;
        var position = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|');
        var parameters = System.Security.Cryptography.SHA256.HashData("111122223333\nNone\n\n\n"u8);
        var chosen = $"{position[0]}|{position[1]}|{long.Parse(position[2], System.Globalization.CultureInfo.InvariantCulture) - 1}";

        foreach (var tag in new[] { Convert.ToHexStringLower(parameters.AsSpan(0, 16)), Convert.ToHexStringLower(parameters) })
        {
            var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{chosen}|{tag}"));

            var result = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["MaxResults"] = 2, ["NextToken"] = forged });

            Assert.Equal(400, result.Status);
            Assert.Equal(("InvalidNextTokenException", "The NextToken is not valid. Use the token from the previous LookupEvents response."), (result.ErrorType, result.ErrorMessage));
        }

        var next = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["MaxResults"] = 2, ["NextToken"] = token });
        Assert.Equal(200, next.Status);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task An_attribute_value_of_100_KB_fails_validation_and_a_time_range_of_a_century_is_answered()
    {
        var big = await CloudTrail.LookupAsync(_endpoint, CloudTrail.Attribute("ResourceName", new string('a', 100 * 1024)));
        var century = await CloudTrail.LookupAsync(_endpoint, new JsonObject { ["StartTime"] = CloudTrail.EpochSeconds(DateTimeOffset.UtcNow.AddYears(-100)), ["EndTime"] = CloudTrail.EpochSeconds(DateTimeOffset.UtcNow.AddYears(1)) });

        Assert.Equal((400, "ValidationException"), (big.Status, big.ErrorType));
        Assert.EndsWith("at 'lookupAttributes.1.member.attributeValue' failed to satisfy constraint: Member must have length less than or equal to 2000", big.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(200, century.Status);
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(new byte[] { 0xC3, 0x28 })] // a lead byte whose continuation is not one
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a UTF-16 surrogate encoded as UTF-8
    [InlineData(new byte[] { 0xFF })]
    public async Task An_attribute_value_of_invalid_UTF_8_fails_as_a_malformed_request_and_selects_nothing(byte[] invalid)
    {
        byte[] body = [.. System.Text.Encoding.ASCII.GetBytes("{\"LookupAttributes\":[{\"AttributeKey\":\"Username\",\"AttributeValue\":\"a"), .. invalid, .. System.Text.Encoding.ASCII.GetBytes("\"}]}")];

        var (status, answer, response) = await SignedHttp.SendAsync(_endpoint, CloudTrail.LookupEventsTarget, body, service: "cloudtrail");
        response.Dispose();

        Assert.Equal(400, status);
        Assert.DoesNotContain("\"Events\"", answer, StringComparison.Ordinal);
        Assert.Contains("SerializationException", answer, StringComparison.Ordinal);
    }

    private static List<string> RequestIds(IEnumerable<System.Text.Json.JsonElement> events) =>
        events.Select(e => CloudTrail.RequestId(CloudTrail.Record(e))!).ToList();
}
