using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>What the audit trail records for each request, field by field, read back through LookupEvents.</summary>
[Trait("Issue", "4")]
public sealed class AuditEventTests(AuditServerFixture fixture) : IClassFixture<AuditServerFixture>
{
    private readonly CitadelServer _server = fixture.Server;
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task Successful_denied_invalid_and_disabled_key_requests_each_yield_exactly_one_event_with_every_field()
    {
        var outsider = await _server.CreateUserAsync("audit-outsider");
        using var outsiderKms = _server.Client(outsider);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = await _kms.CreateKeyAsync(new CreateKeyRequest { Description = "audited" });
        var key = created.KeyMetadata;
        var encrypted = await _kms.EncryptAsync(key.KeyId, "field by field"u8.ToArray(), Kms.Context("purpose", "audit-e2e"));
        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => outsiderKms.EncryptAsync(key.KeyId, "denied"u8.ToArray()));
#pragma warning disable KeyManagementService1004 // the SDK analyzer knows the range; the test sends what it forbids on purpose.
        var tooMany = new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = 2000 };
#pragma warning restore KeyManagementService1004
        var invalid = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _kms.GenerateDataKeyAsync(tooMany));
        var disabling = await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        var disabled = await Assert.ThrowsAsync<DisabledException>(() => _kms.EncryptAsync(key.KeyId, "disabled"u8.ToArray()));
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        var requestIds = new[]
        {
            disabled.RequestId, disabling.ResponseMetadata.RequestId, invalid.RequestId, denied.RequestId,
            encrypted.ResponseMetadata.RequestId, created.ResponseMetadata.RequestId,
        };

        var all = await CloudTrail.LookupAllAsync(_server.Endpoint, new JsonObject { ["StartTime"] = CloudTrail.EpochSeconds(before) });

        var mine = all.Where(e => requestIds.Contains(CloudTrail.RequestId(CloudTrail.Record(e)))).ToList();
        Assert.Equal(requestIds, mine.Select(e => CloudTrail.RequestId(CloudTrail.Record(e))));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Equal("ValidationException", invalid.ErrorCode);
        Assert.Equal("DisabledException", disabled.ErrorCode);
        var root = Root();
        var keyResource = Resources(key.Arn);
        AssertRecord(mine[5], before, after, $$"""
            {
              "eventVersion": "1.11", "userIdentity": {{root}}, "eventSource": "kms.amazonaws.com", "eventName": "CreateKey",
              "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
              "requestParameters": { "description": "audited" },
              "responseElements": { "keyMetadata": {
                "aWSAccountId": "111122223333", "keyId": "{{key.KeyId}}", "arn": "{{key.Arn}}", "creationDate": {{Epoch(key.CreationDate)}},
                "enabled": true, "description": "audited", "keyUsage": "ENCRYPT_DECRYPT", "keyState": "Enabled", "origin": "AWS_KMS",
                "keyManager": "CUSTOMER", "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keySpec": "SYMMETRIC_DEFAULT",
                "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "multiRegion": false, "currentKeyMaterialId": "{{key.CurrentKeyMaterialId}}" } },
              "requestID": "{{created.ResponseMetadata.RequestId}}", "readOnly": false, "resources": {{keyResource}},
              "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
            }
            """);
        AssertRecord(mine[4], before, after, $$"""
            {
              "eventVersion": "1.11", "userIdentity": {{root}}, "eventSource": "kms.amazonaws.com", "eventName": "Encrypt",
              "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
              "requestParameters": { "keyId": "{{key.KeyId}}", "encryptionContext": { "purpose": "audit-e2e" } },
              "responseElements": null,
              "requestID": "{{encrypted.ResponseMetadata.RequestId}}", "readOnly": true, "resources": {{keyResource}},
              "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
            }
            """);
        AssertRecord(mine[3], before, after, $$"""
            {
              "eventVersion": "1.11",
              "userIdentity": {
                "type": "IAMUser", "principalId": "{{outsider.PrincipalId}}", "arn": "arn:aws:iam::111122223333:user/audit-outsider",
                "accountId": "111122223333", "accessKeyId": "{{outsider.AccessKeyId}}", "userName": "audit-outsider" },
              "eventSource": "kms.amazonaws.com", "eventName": "Encrypt", "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
              "errorCode": "AccessDeniedException", "errorMessage": {{JsonSerializer.Serialize(denied.Message)}},
              "requestParameters": { "keyId": "{{key.KeyId}}" },
              "responseElements": null,
              "requestID": "{{denied.RequestId}}", "readOnly": true, "resources": {{keyResource}},
              "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
            }
            """);
        AssertRecord(mine[2], before, after, $$"""
            {
              "eventVersion": "1.11", "userIdentity": {{root}}, "eventSource": "kms.amazonaws.com", "eventName": "GenerateDataKey",
              "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
              "errorCode": "ValidationException",
              "errorMessage": "1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
              "requestParameters": { "keyId": "{{key.KeyId}}", "numberOfBytes": 2000 },
              "responseElements": null,
              "requestID": "{{invalid.RequestId}}", "readOnly": true,
              "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
            }
            """);
        AssertRecord(mine[1], before, after, $$"""
            {
              "eventVersion": "1.11", "userIdentity": {{root}}, "eventSource": "kms.amazonaws.com", "eventName": "DisableKey",
              "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
              "requestParameters": { "keyId": "{{key.KeyId}}" },
              "responseElements": null,
              "requestID": "{{disabling.ResponseMetadata.RequestId}}", "readOnly": false, "resources": {{keyResource}},
              "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
            }
            """);
        AssertRecord(mine[0], before, after, $$"""
            {
              "eventVersion": "1.11", "userIdentity": {{root}}, "eventSource": "kms.amazonaws.com", "eventName": "Encrypt",
              "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
              "errorCode": "DisabledException", "errorMessage": "{{key.Arn}} is disabled.",
              "requestParameters": { "keyId": "{{key.KeyId}}" },
              "responseElements": null,
              "requestID": "{{disabled.RequestId}}", "readOnly": true, "resources": {{keyResource}},
              "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
            }
            """);
        Assert.Equal(disabled.Message, CloudTrail.Record(mine[0]).GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_LookupEvents_entry_carries_the_lookup_attributes_of_its_record()
    {
        var user = await _server.CreateUserAsync("audit-entry", Users.Allow("kms:*"));
        using var userKms = _server.Client(user);
        var key = await _kms.NewKeyAsync();
        var encrypted = await userKms.EncryptAsync(key.KeyId, "entry"u8.ToArray());

        var result = await CloudTrail.LookupAsync(_server.Endpoint, CloudTrail.Attribute("Username", "audit-entry"));

        var entry = Assert.Single(result.Events);
        var record = CloudTrail.Record(entry);
        Assert.Equal(encrypted.ResponseMetadata.RequestId, CloudTrail.RequestId(record));
        var eventTime = DateTimeOffset.Parse(record.GetProperty("eventTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        CloudTrail.JsonEqual($$"""
            {
              "EventId": "{{record.GetProperty("eventID").GetString()}}", "EventName": "Encrypt", "ReadOnly": "true",
              "AccessKeyId": "{{user.AccessKeyId}}", "EventTime": {{eventTime.ToUnixTimeSeconds()}}, "EventSource": "kms.amazonaws.com",
              "Username": "audit-entry", "Resources": [ { "ResourceType": "AWS::KMS::Key", "ResourceName": "{{key.Arn}}" } ],
              "CloudTrailEvent": {{JsonSerializer.Serialize(entry.GetProperty("CloudTrailEvent").GetString())}}
            }
            """,
            WithWholeSecondTime(entry));
        Assert.True(Guid.TryParse(record.GetProperty("eventID").GetString(), out var eventId));

        // Time-ordered (UUID version 7, RFC 9562): the event-id index is appended to, not written all over.
        Assert.Equal(7, eventId.Version);
        Assert.Equal(eventTime.ToUnixTimeSeconds(), DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(eventId.ToString("N")[..12], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)).ToUnixTimeSeconds());
    }

    /// <summary>Checks eventTime (within the window), eventID (a fresh GUID) and userAgent (the SDK's) on their own, then every other field exactly.</summary>
    private static void AssertRecord(JsonElement lookupEvent, DateTimeOffset before, DateTimeOffset after, string expected)
    {
        var record = CloudTrail.Record(lookupEvent);
        var node = JsonNode.Parse(record.GetRawText())!.AsObject();
        var eventTime = DateTimeOffset.Parse(node["eventTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(eventTime, before, after);
        Assert.Equal(CloudTrail.Time(eventTime), node["eventTime"]!.GetValue<string>());
        Assert.True(Guid.TryParse(node["eventID"]!.GetValue<string>(), out _));
        Assert.Equal(lookupEvent.GetProperty("EventId").GetString(), node["eventID"]!.GetValue<string>());
        Assert.StartsWith("aws-sdk-dotnet-", node["userAgent"]!.GetValue<string>(), StringComparison.Ordinal);
        node.Remove("eventTime");
        node.Remove("eventID");
        node.Remove("userAgent");

        CloudTrail.JsonEqual(expected, JsonDocument.Parse(node.ToJsonString()).RootElement);
    }

    private static JsonElement WithWholeSecondTime(JsonElement entry)
    {
        var node = JsonNode.Parse(entry.GetRawText())!.AsObject();
        node["EventTime"] = (long)Math.Floor(node["EventTime"]!.GetValue<double>());
        return JsonDocument.Parse(node.ToJsonString()).RootElement;
    }

    private static string Root() =>
        """{ "type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333", "accessKeyId": "test" }""";

    private static string Resources(string arn) =>
        $$"""[ { "accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "{{arn}}" } ]""";

    private static string Epoch(DateTime? time) =>
        (new DateTimeOffset(time!.Value.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
