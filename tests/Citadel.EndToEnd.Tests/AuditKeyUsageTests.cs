using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>GetKeyLastUsage, answered from the audit trail.</summary>
[Trait("Issue", "4")]
public sealed class AuditKeyUsageTests(AuditServerFixture fixture) : IClassFixture<AuditServerFixture>
{
    private readonly CitadelServer _server = fixture.Server;
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task GetKeyLastUsage_after_an_Encrypt_names_the_operation_its_event_and_its_request()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        var encrypted = await _kms.EncryptAsync(key.KeyId, "used"u8.ToArray());
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });

        var usage = await _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyId });

        var encryptEvent = Assert.Single(await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("ResourceName", key.Arn)), e => e.GetProperty("EventName").GetString() == "Encrypt");
        Assert.Equal(key.Arn, usage.KeyId);
        Assert.Equal("Encrypt", usage.KeyLastUsage.Operation.Value);
        Assert.Equal(encryptEvent.GetProperty("EventId").GetString(), usage.KeyLastUsage.CloudTrailEventId);
        Assert.Equal(encrypted.ResponseMetadata.RequestId, usage.KeyLastUsage.KmsRequestId);
        var eventTime = DateTimeOffset.FromUnixTimeMilliseconds((long)(encryptEvent.GetProperty("EventTime").GetDouble() * 1000));
        Assert.Equal(eventTime.UtcDateTime, usage.KeyLastUsage.Timestamp!.Value.ToUniversalTime());
        Assert.Equal(key.CreationDate, usage.KeyCreationDate);
        Assert.Equal(key.CreationDate, usage.TrackingStartDate);
    }

    [Fact]
    public async Task GetKeyLastUsage_skips_failed_requests_and_reports_the_last_successful_one()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "used"u8.ToArray());
        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob);
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        await Assert.ThrowsAsync<DisabledException>(() => _kms.EncryptAsync(key.KeyId, "refused"u8.ToArray()));

        var usage = await _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyId });

        Assert.Equal("Decrypt", usage.KeyLastUsage.Operation.Value);
        Assert.Equal(decrypted.ResponseMetadata.RequestId, usage.KeyLastUsage.KmsRequestId);
    }

    [Fact]
    public async Task GetKeyLastUsage_of_a_key_never_used_has_no_KeyLastUsage()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });

        var usage = await _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyId });

        Assert.Equal(key.Arn, usage.KeyId);
        Assert.Null(usage.KeyLastUsage);
        Assert.Equal(key.CreationDate, usage.KeyCreationDate);
        Assert.Equal(key.CreationDate, usage.TrackingStartDate);
    }
}
