using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Hosting;
using Citadel.Server.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// KMS's own background actions (scheduled deletion, automatic rotation) recorded as AwsServiceEvent, driven by
/// the development clock. A server of its own: advancing the clock would shift other tests' dates.
/// </summary>
[Trait("Issue", "4")]
public sealed class AuditServiceEventTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private CitadelServer _server = null!;
    private AmazonKeyManagementServiceClient _kms = null!;

    public async Task InitializeAsync()
    {
        _server = await CitadelServer.StartAsync();
        _kms = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _kms.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_scheduled_deletion_that_comes_due_is_recorded_as_a_DeleteKey_service_event()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 30 });

        await AdvanceAsync("31d");

        var deleteEvent = Assert.Single(await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("EventName", "DeleteKey")));
        AssertServiceEvent(deleteEvent, "DeleteKey", key.Arn);
    }

    [Fact]
    public async Task An_automatic_rotation_that_comes_due_is_recorded_as_a_RotateKey_service_event()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });

        await AdvanceAsync("91d");

        var rotateEvent = Assert.Single(await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("EventName", "RotateKey")));
        AssertServiceEvent(rotateEvent, "RotateKey", key.Arn);
        var rotations = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId });
        Assert.Equal(RotationType.AUTOMATIC, Assert.Single(rotations.Rotations).RotationType);
    }

    [Fact]
    public async Task Rotation_rounds_running_at_once_record_one_RotateKey_event_per_rotation()
    {
        var arns = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var key = await _kms.NewKeyAsync();
            await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });
            arns.Add(key.Arn);
        }

        _server.Services.GetRequiredService<DevClock>().Advance(TimeSpan.FromDays(91));
        var job = _server.Services.GetRequiredService<KeyRotationJob>();
        await Task.WhenAll(job.RunOnceAsync(CancellationToken.None), job.RunOnceAsync(CancellationToken.None), job.RunOnceAsync(CancellationToken.None));

        var events = await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("EventName", "RotateKey"));
        Assert.Equal(arns.Order(), events.Select(e => e.GetProperty("Resources")[0].GetProperty("ResourceName").GetString()!).Order());
        foreach (var arn in arns)
        {
            var rotations = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = arn });
            Assert.Single(rotations.Rotations);
        }
    }

    [Fact]
    public async Task A_rotation_not_yet_due_records_no_RotateKey_event()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });

        await AdvanceAsync("89d");

        Assert.Empty(await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("EventName", "RotateKey")));
    }

    private async Task AdvanceAsync(string by)
    {
        using var response = await Http.PostAsync($"{_server.Endpoint}/_citadel/dev/advance-time?by={by}", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private static void AssertServiceEvent(JsonElement lookupEvent, string eventName, string keyArn)
    {
        var record = JsonNode.Parse(lookupEvent.GetProperty("CloudTrailEvent").GetString()!)!.AsObject();
        Assert.True(Guid.TryParse(record["eventID"]!.GetValue<string>(), out _));
        var eventTime = DateTimeOffset.Parse(record["eventTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(eventTime, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        record.Remove("eventID");
        record.Remove("eventTime");

        CloudTrail.JsonEqual($$"""
            {
              "eventVersion": "1.11",
              "userIdentity": { "accountId": "111122223333", "invokedBy": "kms.amazonaws.com" },
              "eventSource": "kms.amazonaws.com", "eventName": "{{eventName}}", "awsRegion": "us-east-1",
              "sourceIPAddress": "kms.amazonaws.com", "userAgent": "kms.amazonaws.com",
              "requestParameters": null, "responseElements": null,
              "additionalEventData": { "keyId": "{{keyArn}}" },
              "readOnly": false,
              "resources": [ { "accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "{{keyArn}}" } ],
              "eventType": "AwsServiceEvent", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
            }
            """,
            JsonDocument.Parse(record.ToJsonString()).RootElement);
        Assert.False(lookupEvent.TryGetProperty("Username", out _));
        Assert.False(lookupEvent.TryGetProperty("AccessKeyId", out _));
        Assert.Equal(keyArn, lookupEvent.GetProperty("Resources")[0].GetProperty("ResourceName").GetString());
    }
}
