using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.EndToEnd.Tests.Import;
using Citadel.Server.Hosting;
using Citadel.Server.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Multi-Region keys (issue 19) through the AWS SDK, with clients for two Regions against one server. The server has its
/// own development clock, which the tests move to end the Creating and Updating states and deletion windows.
/// </summary>
[Trait("Issue", "19")]
public sealed class MultiRegionKeyTests : IAsyncLifetime
{
    private const string East = "us-east-1";
    private const string West = "us-west-2";

    private CitadelServer _server = null!;
    private AmazonKeyManagementServiceClient _east = null!;
    private AmazonKeyManagementServiceClient _west = null!;

    public async Task InitializeAsync()
    {
        _server = await CitadelServer.StartAsync();
        _east = _server.Client(region: East);
        _west = _server.Client(region: West);
    }

    public async Task DisposeAsync()
    {
        _east.Dispose();
        _west.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task CreateKey_with_MultiRegion_makes_an_mrk_primary_key_described_as_such()
    {
        var created = (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;

        Assert.Matches("^mrk-[0-9a-f]{32}$", created.KeyId);
        Assert.True(created.MultiRegion);
        Assert.Equal(MultiRegionKeyType.PRIMARY, created.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(Kms.KeyArn(created.KeyId, East), created.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal(East, created.MultiRegionConfiguration.PrimaryKey.Region);
        Assert.Empty(created.MultiRegionConfiguration.ReplicaKeys);
        var described = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyId })).KeyMetadata;
        Assert.True(described.MultiRegion);
        Assert.Equal(created.Arn, described.MultiRegionConfiguration.PrimaryKey.Arn);
    }

    [Fact]
    public async Task ReplicateKey_creates_a_replica_with_its_own_policy_description_and_tags_Creating_then_Enabled()
    {
        var primary = await NewPrimaryAsync();
        var policy = Policies.Document(Policies.RootStatement());

        var replicated = await _east.ReplicateKeyAsync(new ReplicateKeyRequest
        {
            KeyId = primary.KeyId, ReplicaRegion = West, Description = "west copy", Policy = policy, Tags = Kms.Tags("site", "b"),
        });

        var replica = replicated.ReplicaKeyMetadata;
        Assert.Equal(primary.KeyId, replica.KeyId);
        Assert.Equal(Kms.KeyArn(primary.KeyId, West), replica.Arn);
        Assert.Equal(KeyState.Creating, replica.KeyState);
        Assert.Equal("west copy", replica.Description);
        Assert.Equal(MultiRegionKeyType.REPLICA, replica.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(policy, replicated.ReplicaPolicy);
        Assert.Equal("b", Assert.Single(replicated.ReplicaTags).TagValue);
        await Kms.FailsAsync<KMSInvalidStateException>(
            () => _west.EncryptAsync(primary.KeyId, "too early"u8.ToArray()),
            "KMSInvalidStateException",
            $"{replica.Arn} is creating.");

        await AdvanceAsync(TimeSpan.FromMinutes(1));

        var west = (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.Enabled, west.KeyState);
        Assert.Equal(primary.Arn, west.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal(replica.Arn, Assert.Single(west.MultiRegionConfiguration.ReplicaKeys).Arn);
        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(West, Assert.Single(east.MultiRegionConfiguration.ReplicaKeys).Region);
        Assert.Equal("e2e", east.Description);
        var eastTags = await _east.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = primary.KeyId });
        Assert.Empty(eastTags.Tags);
    }

    [Fact]
    public async Task A_ciphertext_of_either_Region_decrypts_in_the_other_by_key_id_ARN_or_alias_there()
    {
        var primary = await NewReplicatedAsync();
        var alias = Kms.NewAliasName();
        await _west.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = primary.KeyId });
        var context = Kms.Context("app", "dr");
        var fromEast = await _east.EncryptAsync(primary.KeyId, "across Regions"u8.ToArray(), context);
        var fromWest = await _west.EncryptAsync(alias, "and back"u8.ToArray(), context);

        var inWest = await _west.DecryptAsync(fromEast.CiphertextBlob, context);
        var inWestByArn = await _west.DecryptAsync(fromEast.CiphertextBlob, context, Kms.KeyArn(primary.KeyId, West));
        var inWestByAlias = await _west.DecryptAsync(fromEast.CiphertextBlob, context, alias);
        var inEast = await _east.DecryptAsync(fromWest.CiphertextBlob, context);

        Assert.Equal("across Regions"u8.ToArray(), inWest.Plaintext.ToArray());
        Assert.Equal(Kms.KeyArn(primary.KeyId, West), inWest.KeyId);
        Assert.Equal("across Regions"u8.ToArray(), inWestByArn.Plaintext.ToArray());
        Assert.Equal("across Regions"u8.ToArray(), inWestByAlias.Plaintext.ToArray());
        Assert.Equal("and back"u8.ToArray(), inEast.Plaintext.ToArray());
        Assert.Equal(primary.Arn, inEast.KeyId);
    }

    [Fact]
    public async Task A_multi_Region_ciphertext_is_refused_by_a_single_Region_key_and_by_an_unrelated_multi_Region_key()
    {
        var primary = await NewReplicatedAsync();
        var single = await _west.NewKeyAsync();
        var unrelated = (await _west.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        var blob = (await _east.EncryptAsync(primary.KeyId, "mine"u8.ToArray())).CiphertextBlob;
        const string Incorrect = "The key ID in the request does not identify a CMK that can perform this operation.";

        await Kms.FailsAsync<IncorrectKeyException>(() => _west.DecryptAsync(blob, null, single.KeyId), "IncorrectKeyException", Incorrect);
        await Kms.FailsAsync<IncorrectKeyException>(() => _west.DecryptAsync(blob, null, unrelated.KeyId), "IncorrectKeyException", Incorrect);
        var singleBlob = (await _west.EncryptAsync(single.KeyId, "single"u8.ToArray())).CiphertextBlob;
        await Kms.FailsAsync<IncorrectKeyException>(() => _west.DecryptAsync(singleBlob, null, primary.KeyId), "IncorrectKeyException", Incorrect);
    }

    [Fact]
    public async Task A_MAC_and_a_signature_made_in_one_Region_verify_in_the_other()
    {
        var hmac = (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC })).KeyMetadata;
        var signing = (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata;
        await ReplicateAndWaitAsync(hmac.KeyId);
        await ReplicateAndWaitAsync(signing.KeyId);
        var message = new MemoryStream("same key, two Regions"u8.ToArray());

        var mac = await _east.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = message });
        var verifiedMac = await _west.VerifyMacAsync(new VerifyMacRequest { KeyId = hmac.KeyId, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = new MemoryStream(message.ToArray()), Mac = mac.Mac });
        var signature = await _west.SignAsync(new SignRequest { KeyId = signing.KeyId, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256, Message = new MemoryStream(message.ToArray()) });
        var verified = await _east.VerifyAsync(new VerifyRequest { KeyId = signing.KeyId, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256, Message = new MemoryStream(message.ToArray()), Signature = signature.Signature });
        var westPublic = await _west.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing.KeyId });
        var eastPublic = await _east.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing.KeyId });

        Assert.True(verifiedMac.MacValid);
        Assert.True(verified.SignatureValid);
        Assert.Equal(eastPublic.PublicKey.ToArray(), westPublic.PublicKey.ToArray());
    }

    [Fact]
    public async Task ReplicateKey_refuses_the_primary_Region_a_second_replica_a_replica_and_a_single_Region_key()
    {
        var primary = await NewReplicatedAsync();
        var single = await _east.NewKeyAsync();
        var westArn = Kms.KeyArn(primary.KeyId, West);

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            () => _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = East }),
            "ValidationException",
            $"The replica Region {East} is the Region of the primary key {primary.Arn}. Choose another Region.");
        await Kms.FailsAsync<AlreadyExistsException>(
            () => _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West }),
            "AlreadyExistsException",
            $"{westArn} already exists. A multi-Region key has at most one replica in each Region.");
        await Kms.FailsAsync<UnsupportedOperationException>(
            () => _west.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "eu-west-1" }),
            "UnsupportedOperationException",
            $"{westArn} is not a multi-Region primary key. Replicate its primary key in {East}.");
        await Kms.FailsAsync<UnsupportedOperationException>(
            () => _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = single.KeyId, ReplicaRegion = West }),
            "UnsupportedOperationException",
            $"{single.Arn} is not a multi-Region key.");
    }

    [Fact]
    public async Task UpdatePrimaryRegion_makes_the_replica_primary_both_Updating_and_still_usable_until_it_completes()
    {
        var primary = await NewReplicatedAsync();
        var blob = (await _east.EncryptAsync(primary.KeyId, "during the move"u8.ToArray())).CiphertextBlob;

        await _east.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = West });

        var westDuring = (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        var eastDuring = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.Updating, westDuring.KeyState);
        Assert.Equal(KeyState.Updating, eastDuring.KeyState);
        Assert.Equal("during the move"u8.ToArray(), (await _west.DecryptAsync(blob)).Plaintext.ToArray());
        await Kms.FailsAsync<KMSInvalidStateException>(
            () => _east.DisableKeyAsync(new DisableKeyRequest { KeyId = primary.KeyId }), "KMSInvalidStateException", $"{primary.Arn} is updating.");

        await AdvanceAsync(TimeSpan.FromMinutes(1));

        var west = (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.Enabled, west.KeyState);
        Assert.Equal(KeyState.Enabled, east.KeyState);
        Assert.Equal(MultiRegionKeyType.PRIMARY, west.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(MultiRegionKeyType.REPLICA, east.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(west.Arn, east.MultiRegionConfiguration.PrimaryKey.Arn);
        Assert.Equal(East, Assert.Single(west.MultiRegionConfiguration.ReplicaKeys).Region);
    }

    [Fact]
    public async Task Rotation_is_set_and_done_on_the_primary_and_the_replicas_follow_it()
    {
        var primary = await NewReplicatedAsync();

        await _east.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId, RotationPeriodInDays = 180 });
        await _east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId });

        var status = await _west.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId });
        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(180, status.RotationPeriodInDays);
        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        var west = (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(east.CurrentKeyMaterialId, west.CurrentKeyMaterialId);
        var rotatedBlob = (await _east.EncryptAsync(primary.KeyId, "new material"u8.ToArray())).CiphertextBlob;
        Assert.Equal("new material"u8.ToArray(), (await _west.DecryptAsync(rotatedBlob)).Plaintext.ToArray());
        var westArn = Kms.KeyArn(primary.KeyId, West);
        var refusal = $"{westArn} is a multi-Region replica key. Its rotation follows its primary key in {East}: change the rotation of the primary key.";
        await Kms.FailsAsync<UnsupportedOperationException>(
            () => _west.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId }), "UnsupportedOperationException", refusal);
        await Kms.FailsAsync<UnsupportedOperationException>(
            () => _west.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = primary.KeyId }), "UnsupportedOperationException", refusal);
    }

    [Fact]
    public async Task An_automatic_rotation_of_the_primary_is_followed_by_its_replicas()
    {
        var primary = await NewReplicatedAsync();
        await _east.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = primary.KeyId, RotationPeriodInDays = 90 });
        var before = (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.CurrentKeyMaterialId;

        await AdvanceAsync(TimeSpan.FromDays(91));

        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        var west = (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.NotEqual(before, east.CurrentKeyMaterialId);
        Assert.Equal(east.CurrentKeyMaterialId, west.CurrentKeyMaterialId);
        var eastRotation = await _east.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId });
        var westRotation = await _west.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = primary.KeyId });
        Assert.Equal(eastRotation.NextRotationDate, westRotation.NextRotationDate);
        var rotations = await _west.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = primary.KeyId });
        Assert.Single(rotations.Rotations);
    }

    [Fact]
    public async Task The_completed_primary_Region_update_is_recorded_as_a_service_event_in_the_new_primary_Region()
    {
        var primary = await NewReplicatedAsync();

        await _east.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = West });
        await AdvanceAsync(TimeSpan.FromMinutes(1));

        var westArn = Kms.KeyArn(primary.KeyId, West);
        await Kms.EventuallyAsync(
            async () =>
            {
                var events = await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("ResourceName", westArn));
                return events.Select(CloudTrail.Record).Any(r => r.GetProperty("eventName").GetString() == "UpdatePrimaryRegion"
                    && r.GetProperty("eventType").GetString() == "AwsServiceEvent" && r.GetProperty("awsRegion").GetString() == West);
            },
            "the UpdatePrimaryRegion service event of the new primary is in the trail");
    }

    [Fact]
    public async Task A_primary_with_replicas_waits_in_PendingReplicaDeletion_until_they_are_deleted_then_its_own_window_starts()
    {
        var primary = await NewReplicatedAsync();

        var scheduled = await _east.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });
        await _west.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });

        Assert.Equal(KeyState.PendingReplicaDeletion, scheduled.KeyState);
        Assert.Null(scheduled.DeletionDate);
        Assert.Equal(7, scheduled.PendingWindowInDays);
        await AdvanceAsync(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await Kms.FailsAsync<NotFoundException>(
            () => _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId }), "NotFoundException", $"Key '{Kms.KeyArn(primary.KeyId, West)}' does not exist");
        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.PendingDeletion, east.KeyState);
        Assert.Empty(east.MultiRegionConfiguration.ReplicaKeys);
        Assert.NotNull(east.DeletionDate);
        await _east.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = primary.KeyId });
        Assert.Equal(KeyState.Disabled, (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task A_deleted_replica_can_be_replicated_again_and_opens_the_old_ciphertexts()
    {
        var primary = await NewReplicatedAsync();
        var blob = (await _east.EncryptAsync(primary.KeyId, "kept"u8.ToArray())).CiphertextBlob;
        await _west.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });
        await AdvanceAsync(TimeSpan.FromDays(8));

        await ReplicateAndWaitAsync(primary.KeyId);

        Assert.Equal("kept"u8.ToArray(), (await _west.DecryptAsync(blob)).Plaintext.ToArray());
    }

    [Fact]
    public async Task ReplicateKey_is_denied_to_a_caller_who_may_not_CreateKey_in_the_replica_Region()
    {
        var primary = await NewPrimaryAsync();
        var policy = Policies.Document(
            Policies.Identity("Allow", "kms:ReplicateKey|kms:CreateKey|kms:DescribeKey"),
            Policies.Identity("Deny", "kms:CreateKey", condition: $$$"""{"StringEquals": {"aws:RequestedRegion": "{{{West}}}"}}"""));
        var user = await _server.CreateUserAsync("mrk-" + Guid.NewGuid().ToString("N")[..8], policy);
        using var kms = _server.Client(user.AccessKeyId, user.Secret, East);

        var act = () => kms.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West });

        var denied = await Kms.FailsAsync<AmazonKeyManagementServiceException>(act, "AccessDeniedException", null);
        Assert.Contains($"kms:CreateKey on resource: {Kms.KeyArn(primary.KeyId, West)}", denied.Message, StringComparison.Ordinal);
        await Kms.FailsAsync<NotFoundException>(
            () => _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId }), "NotFoundException", $"Key '{Kms.KeyArn(primary.KeyId, West)}' does not exist");
    }

    [Fact]
    public async Task ReplicateKey_is_denied_to_a_caller_the_primary_key_does_not_allow_to_ReplicateKey()
    {
        var primary = await NewPrimaryAsync();
        var user = await _server.CreateUserAsync("mrk-" + Guid.NewGuid().ToString("N")[..8], Users.Allow("kms:CreateKey", "kms:DescribeKey"));
        using var kms = _server.Client(user.AccessKeyId, user.Secret, East);

        var denied = await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            () => kms.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West }), "AccessDeniedException", null);

        Assert.Contains($"kms:ReplicateKey on resource: {primary.Arn}", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_account_allowed_ReplicateKey_by_the_key_policy_still_cannot_create_a_replica_in_the_owners_account()
    {
        var policy = Policies.Document(Policies.RootStatement(), Policies.For($"arn:aws:iam::{Kms.OtherAccount}:root", "Allow", "kms:ReplicateKey|kms:DescribeKey"));
        var primary = (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Policy = policy })).KeyMetadata;
        using var other = await _server.OtherAccountClientAsync(East);

        var denied = await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            () => other.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.Arn, ReplicaRegion = West }), "AccessDeniedException", null);

        Assert.Contains($"kms:CreateKey on resource: {Kms.KeyArn(primary.KeyId, West)}", denied.Message, StringComparison.Ordinal);
        Assert.Empty((await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration.ReplicaKeys);
    }

    [Fact]
    public async Task Another_account_allowed_UpdatePrimaryRegion_by_both_key_policies_is_still_refused()
    {
        var policy = Policies.Document(Policies.RootStatement(), Policies.For($"arn:aws:iam::{Kms.OtherAccount}:root", "Allow", "kms:UpdatePrimaryRegion"));
        var primary = (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Policy = policy })).KeyMetadata;
        await _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West, Policy = policy });
        await AdvanceAsync(TimeSpan.FromMinutes(1));
        using var other = await _server.OtherAccountClientAsync(East);

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            () => other.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.Arn, PrimaryRegion = West }),
            "AccessDeniedException",
            $"arn:aws:iam::{Kms.OtherAccount}:root is not authorized to perform kms:UpdatePrimaryRegion on {primary.Arn}: UpdatePrimaryRegion cannot be used across accounts.");

        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(MultiRegionKeyType.PRIMARY, east.MultiRegionConfiguration.MultiRegionKeyType);
    }

    [Fact]
    public async Task A_replica_policy_that_would_lock_the_caller_out_is_refused_and_creates_nothing()
    {
        var primary = await NewPrimaryAsync();
        var lockout = Policies.Document(Policies.For("arn:aws:iam::111122223333:root", "Allow", "kms:Decrypt"));

        await Kms.FailsAsync<MalformedPolicyDocumentException>(
            () => _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West, Policy = lockout }),
            "MalformedPolicyDocumentException",
            "The new key policy will not allow you to update the key policy in the future.");

        Assert.Empty((await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.MultiRegionConfiguration.ReplicaKeys);
    }

    [Fact]
    public async Task UpdatePrimaryRegion_is_denied_when_the_replica_key_policy_does_not_allow_it()
    {
        var policy = Policies.Document(
            Policies.RootStatement(),
            Policies.For("arn:aws:iam::111122223333:root", "Deny", "kms:UpdatePrimaryRegion"));
        var primary = await NewPrimaryAsync();
        await _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = West, Policy = policy, BypassPolicyLockoutSafetyCheck = true });
        await AdvanceAsync(TimeSpan.FromMinutes(1));

        var denied = await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            () => _east.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = primary.KeyId, PrimaryRegion = West }), "AccessDeniedException", null);

        Assert.Contains($"kms:UpdatePrimaryRegion on resource: {Kms.KeyArn(primary.KeyId, West)}", denied.Message, StringComparison.Ordinal);
        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(MultiRegionKeyType.PRIMARY, east.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(KeyState.Enabled, east.KeyState);
    }

    [Fact]
    public async Task The_replica_creation_is_recorded_as_a_CreateKey_service_event_in_the_replica_Region()
    {
        var primary = await NewPrimaryAsync();

        await ReplicateAndWaitAsync(primary.KeyId);

        var westArn = Kms.KeyArn(primary.KeyId, West);
        await Kms.EventuallyAsync(
            async () =>
            {
                var events = await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("ResourceName", westArn));
                return events.Select(CloudTrail.Record).Any(r => r.GetProperty("eventName").GetString() == "CreateKey"
                    && r.GetProperty("eventType").GetString() == "AwsServiceEvent" && r.GetProperty("awsRegion").GetString() == West);
            },
            "the CreateKey service event of the replica is in the trail");
    }

    [Fact]
    public async Task A_rotation_the_replicas_follow_is_recorded_as_one_SynchronizeMultiRegionKey_event_in_the_primary_Region()
    {
        var primary = await NewReplicatedAsync();
        var eastArn = Kms.KeyArn(primary.KeyId, East);

        await _east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId });

        var synchronized = new List<JsonElement>();
        await Kms.EventuallyAsync(
            async () =>
            {
                var events = await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("EventName", "SynchronizeMultiRegionKey"));
                synchronized = events.Select(CloudTrail.Record).Where(r => r.GetProperty("resources")[0].GetProperty("ARN").GetString() == eastArn).ToList();
                return synchronized.Count > 0;
            },
            "the SynchronizeMultiRegionKey event of the rotation is in the trail");
        var record = Assert.Single(synchronized);
        Assert.Equal("AwsApiCall", record.GetProperty("eventType").GetString());
        Assert.Equal(East, record.GetProperty("awsRegion").GetString());
        CloudTrail.JsonEqual($$"""{"accountId":"{{Kms.Account}}","invokedBy":"AWS Internal"}""", record.GetProperty("userIdentity"));
        Assert.Equal("AWS Internal", record.GetProperty("sourceIPAddress").GetString());
        Assert.Equal("AWS Internal", record.GetProperty("userAgent").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("requestParameters").ValueKind);
        CloudTrail.JsonEqual($$"""{"keyId":"{{eastArn}}"}""", record.GetProperty("responseElements"));
        Assert.False(record.GetProperty("readOnly").GetBoolean());
        Assert.Equal(1, record.GetProperty("resources").GetArrayLength());
    }

    [Fact]
    public async Task A_rotation_of_a_primary_without_replicas_records_no_SynchronizeMultiRegionKey_event()
    {
        var primary = await NewPrimaryAsync();
        var eastArn = Kms.KeyArn(primary.KeyId, East);

        await _east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId });

        // The request's own event is recorded after the rotation, so once it is in the trail a synchronization would be too.
        await Kms.EventuallyAsync(
            async () => (await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("ResourceName", eastArn)))
                .Select(CloudTrail.Record).Any(r => r.GetProperty("eventName").GetString() == "RotateKeyOnDemand"),
            "the RotateKeyOnDemand event is in the trail");
        var events = await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("ResourceName", eastArn));
        Assert.DoesNotContain(events.Select(CloudTrail.Record), r => r.GetProperty("eventName").GetString() == "SynchronizeMultiRegionKey");
    }

    [Fact]
    public async Task A_replica_of_imported_material_waits_in_PendingImport_and_takes_only_the_primarys_material()
    {
        var primary = (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Origin = OriginType.EXTERNAL })).KeyMetadata;
        var material = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await _east.ImportAsync(primary.KeyId, material);
        await ReplicateAndWaitAsync(primary.KeyId);
        Assert.Equal(KeyState.PendingImport, (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);

        await Kms.FailsAsync<IncorrectKeyMaterialException>(
            () => _west.ImportAsync(primary.KeyId, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            "IncorrectKeyMaterialException",
            $"The request was rejected because the key material in the request is, expired, invalid, or does not meet expectations. A multi-Region replica key takes only key material imported into its primary key in {East}.");
        await _west.ImportAsync(primary.KeyId, material);

        Assert.Equal(KeyState.Enabled, (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);
        var blob = (await _east.EncryptAsync(primary.KeyId, "imported"u8.ToArray())).CiphertextBlob;
        Assert.Equal("imported"u8.ToArray(), (await _west.DecryptAsync(blob)).Plaintext.ToArray());
    }

    [Fact]
    public async Task On_demand_rotation_of_an_imported_primary_waits_until_every_replica_holds_the_new_material_then_the_replicas_follow()
    {
        var primary = await NewImportedReplicatedAsync();
        var oldBlob = (await _east.EncryptAsync(primary.KeyId, "before"u8.ToArray())).CiphertextBlob;
        var second = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var newId = (await _east.ImportAsync(primary.KeyId, second, configure: r => r.ImportType = ImportType.NEW_KEY_MATERIAL)).KeyMaterialId;
        var before = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.CurrentKeyMaterialId;

        await Kms.FailsAsync<UnsupportedOperationException>(
            () => _east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId }),
            "UnsupportedOperationException",
            $"{Kms.KeyArn(primary.KeyId, East)} key material {newId} is not yet imported into its replica keys in {West}. Import it into each of them with ImportType EXISTING_KEY_MATERIAL, then rotate.");
        Assert.Equal(before, (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.CurrentKeyMaterialId);

        await _west.ImportAsync(primary.KeyId, second, configure: r => r.ImportType = ImportType.EXISTING_KEY_MATERIAL);
        await _east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId });

        var east = (await _east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        var west = (await _west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata;
        Assert.Equal(newId, east.CurrentKeyMaterialId);
        Assert.Equal(newId, west.CurrentKeyMaterialId);
        Assert.Equal(KeyState.Enabled, west.KeyState);
        var westBlob = (await _west.EncryptAsync(primary.KeyId, "after"u8.ToArray())).CiphertextBlob;
        Assert.Equal("after"u8.ToArray(), (await _east.DecryptAsync(westBlob)).Plaintext.ToArray());
        Assert.Equal("before"u8.ToArray(), (await _west.DecryptAsync(oldBlob)).Plaintext.ToArray());
        await Kms.FailsAsync<UnsupportedOperationException>(
            () => _west.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = primary.KeyId }),
            "UnsupportedOperationException",
            $"{Kms.KeyArn(primary.KeyId, West)} is a multi-Region replica key. Its rotation follows its primary key in {East}: change the rotation of the primary key.");
    }

    [Fact]
    public async Task A_replica_refuses_imported_material_its_primary_does_not_hold_even_as_new_key_material()
    {
        var primary = await NewImportedReplicatedAsync();

        await Kms.FailsAsync<IncorrectKeyMaterialException>(
            () => _west.ImportAsync(primary.KeyId, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), configure: r => r.ImportType = ImportType.NEW_KEY_MATERIAL),
            "IncorrectKeyMaterialException",
            $"The request was rejected because the key material in the request is, expired, invalid, or does not meet expectations. A multi-Region replica key takes only key material imported into its primary key in {East}.");

        var rotations = await _west.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = primary.KeyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL });
        Assert.Single(rotations.Rotations);
    }

    private async Task<KeyMetadata> NewPrimaryAsync() =>
        (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "e2e" })).KeyMetadata;

    private async Task<KeyMetadata> NewReplicatedAsync()
    {
        var primary = await NewPrimaryAsync();
        await ReplicateAndWaitAsync(primary.KeyId);
        return primary;
    }

    /// <summary>A primary of imported material and its replica, both holding the same material.</summary>
    private async Task<KeyMetadata> NewImportedReplicatedAsync()
    {
        var primary = (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Origin = OriginType.EXTERNAL })).KeyMetadata;
        var material = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await _east.ImportAsync(primary.KeyId, material);
        await ReplicateAndWaitAsync(primary.KeyId);
        await _west.ImportAsync(primary.KeyId, material);
        return primary;
    }

    private async Task ReplicateAndWaitAsync(string keyId)
    {
        await _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = West });
        await AdvanceAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>Moves the development clock and runs a round of every clock-driven job, as the development endpoint does.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        var services = _server.Services;
        var clock = services.GetRequiredService<DevClock>();
        await ClockJob.AdvanceAsync(
            [services.GetRequiredService<MultiRegionKeyJob>(), services.GetRequiredService<KeyRotationJob>(), services.GetRequiredService<KeyDeletionJob>()],
            () => clock.Advance(by),
            CancellationToken.None);
    }
}
