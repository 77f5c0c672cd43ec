using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Identity;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

[Trait("Issue", "5")]
public sealed class ManagedKeyTests : IAsyncLifetime
{
    private const string Service = "secretsmanager.amazonaws.com";
    private const string Alias = "alias/aws/secretsmanager";
    private CitadelServer _server = null!;
    private AmazonKeyManagementServiceClient _root = null!;
    private ServiceCaller _service = null!;
    private string _userArn = "";
    private AmazonKeyManagementServiceClient _user = null!;

    public async Task InitializeAsync()
    {
        _server = await CitadelServer.StartAsync();
        _root = _server.Client();
        var admin = new IdentityAdmin(_server.Services.GetRequiredService<IStore>(), _server.Services.GetRequiredService<ISeal>(), TimeProvider.System);
        await admin.CreateServiceAsync(Service, CancellationToken.None);
        var serviceKey = (await admin.CreateAccessKeyAsync(Service, CancellationToken.None)).Value;
        _service = new ServiceCaller(_server.Endpoint, serviceKey.AccessKeyId, serviceKey.SecretAccessKey);
        _userArn = (await admin.CreatePrincipalAsync(Kms.Account, "app", PrincipalType.IamUser, CancellationToken.None)).Value.Arn;
        var userKey = (await admin.CreateAccessKeyAsync(_userArn, CancellationToken.None)).Value;
        await admin.AttachPolicyAsync(_userArn, "kms", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""", CancellationToken.None);
        _user = _server.Client(userKey.AccessKeyId, userKey.SecretAccessKey);
    }

    public async Task DisposeAsync()
    {
        _root.Dispose();
        _user.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_service_encrypting_for_a_user_with_the_predefined_alias_creates_the_AWS_managed_key()
    {
        var (status, body) = await _service.CallAsync("Encrypt", new { KeyId = Alias, Plaintext = "c2VjcmV0" }, _userArn);

        Assert.Equal(200, status);
        var key = (await _root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Alias })).KeyMetadata;
        Assert.Equal(KeyManagerType.AWS, key.KeyManager);
        Assert.Equal("Default key that protects my Secrets Manager data when no other key is defined", key.Description);
        Assert.Equal(key.Arn, body.GetProperty("KeyId").GetString());
        var (decryptStatus, decrypted) = await _service.CallAsync("Decrypt", new { CiphertextBlob = body.GetProperty("CiphertextBlob").GetString() }, _userArn);
        Assert.Equal(200, decryptStatus);
        Assert.Equal("c2VjcmV0", decrypted.GetProperty("Plaintext").GetString());
    }

    [Fact]
    public async Task The_same_user_calling_Encrypt_directly_with_the_alias_is_denied()
    {
        await _service.CallAsync("DescribeKey", new { KeyId = Alias }, _userArn);
        var arn = (await _root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Alias })).KeyMetadata.Arn;

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            () => _user.EncryptAsync(Alias, "x"u8.ToArray()),
            "AccessDeniedException",
            $"User: {_userArn} is not authorized to perform: kms:Encrypt on resource: {arn} because no resource-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task DescribeKey_on_a_predefined_alias_creates_the_key_and_ListAliases_then_shows_its_target()
    {
        var before = await ListAllAliasesAsync();

        var key = (await _root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/aws/s3" })).KeyMetadata;

        var after = await ListAllAliasesAsync();
        Assert.Null(before.Single(a => a.AliasName == "alias/aws/s3").TargetKeyId);
        Assert.Equal(key.KeyId, after.Single(a => a.AliasName == "alias/aws/s3").TargetKeyId);
        Assert.Equal($"arn:aws:kms:us-east-1:{Kms.Account}:alias/aws/s3", after.Single(a => a.AliasName == "alias/aws/s3").AliasArn);
        var keys = await _root.ListKeysAsync(new ListKeysRequest { Limit = 1000 });
        Assert.Contains(keys.Keys, k => k.KeyId == key.KeyId);
        var rotation = await _root.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.True(rotation.KeyRotationEnabled);
        Assert.Equal(365, rotation.RotationPeriodInDays);
    }

    [Theory]
    [InlineData("PutKeyPolicy")]
    [InlineData("DisableKey")]
    [InlineData("EnableKey")]
    [InlineData("ScheduleKeyDeletion")]
    [InlineData("EnableKeyRotation")]
    [InlineData("DisableKeyRotation")]
    [InlineData("RotateKeyOnDemand")]
    [InlineData("CreateGrant")]
    [InlineData("TagResource")]
    [InlineData("UpdateKeyDescription")]
    public async Task Customers_cannot_manage_an_AWS_managed_key(string operation)
    {
        var key = (await _root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/aws/ebs" })).KeyMetadata;
        Func<Task> act = operation switch
        {
            "PutKeyPolicy" => () => _root.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}""" }),
            "DisableKey" => () => _root.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }),
            "EnableKey" => () => _root.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId }),
            "ScheduleKeyDeletion" => () => _root.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 }),
            "EnableKeyRotation" => () => _root.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }),
            "DisableKeyRotation" => () => _root.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = key.KeyId }),
            "RotateKeyOnDemand" => () => _root.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }),
            "CreateGrant" => () => _root.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = _userArn, Operations = ["Encrypt"] }),
            "TagResource" => () => _root.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("a", "b") }),
            _ => () => _root.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "mine" }),
        };

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            act,
            "AccessDeniedException",
            $"User: arn:aws:iam::{Kms.Account}:root is not authorized to perform: kms:{operation} on resource: {key.Arn} because no resource-based policy allows the kms:{operation} action");
        var after = (await _root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.Enabled, after.KeyState);
        Assert.Equal(key.Description, after.Description);
    }

    [Fact]
    public async Task Aliases_in_the_aws_namespace_cannot_be_created_updated_or_deleted()
    {
        var own = await _root.NewKeyAsync();
        await _root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/aws/rds" });

        var create = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _root.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/mine", TargetKeyId = own.KeyId }));
        var update = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _root.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/aws/rds", TargetKeyId = own.KeyId }));
        var delete = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _root.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "alias/aws/rds" }));

        Assert.All(new[] { create, update, delete }, e => Assert.Equal("NotAuthorizedException", e.ErrorCode));
    }

    [Fact]
    public async Task A_user_of_another_account_cannot_use_the_key_even_through_the_service()
    {
        var (_, created) = await _service.CallAsync("Encrypt", new { KeyId = Alias, Plaintext = "eA==" }, _userArn);
        var keyArn = created.GetProperty("KeyId").GetString()!;
        var admin = new IdentityAdmin(_server.Services.GetRequiredService<IStore>(), _server.Services.GetRequiredService<ISeal>(), TimeProvider.System);
        await admin.CreateAccountAsync(Kms.OtherAccount, CancellationToken.None);
        var stranger = (await admin.CreatePrincipalAsync(Kms.OtherAccount, "stranger", PrincipalType.IamUser, CancellationToken.None)).Value.Arn;
        await Task.Delay(1200);

        var (status, body) = await _service.CallAsync("Encrypt", new { KeyId = keyArn, Plaintext = "eA==" }, stranger);

        Assert.Equal(400, status);
        Assert.Equal("AccessDeniedException", body.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task A_caller_that_is_not_a_registered_service_cannot_act_on_behalf_of_another()
    {
        var forger = new ServiceCaller(_server.Endpoint, "test", "test");

        var (status, body) = await forger.CallAsync("Encrypt", new { KeyId = Alias, Plaintext = "eA==" }, _userArn);
        var (unsignedStatus, unsignedBody) = await _service.CallAsync("Encrypt", new { KeyId = Alias, Plaintext = "eA==" }, _userArn, signOnBehalfHeader: false);

        Assert.Equal(400, status);
        Assert.Equal("AccessDeniedException", body.GetProperty("__type").GetString());
        Assert.Contains("only a registered integrated service", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(400, unsignedStatus);
        Assert.Equal("InvalidSignatureException", unsignedBody.GetProperty("__type").GetString());
        Assert.Equal("'X-Citadel-On-Behalf-Of' must be a 'SignedHeader' in the AWS Authorization.", unsignedBody.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_yearly_rotation_happens_when_the_clock_moves_a_year_and_old_ciphertexts_still_decrypt()
    {
        var (_, first) = await _service.CallAsync("Encrypt", new { KeyId = Alias, Plaintext = "b2xk" }, _userArn);
        var keyId = first.GetProperty("KeyId").GetString()!;

        using (var http = new HttpClient())
        {
            (await http.PostAsync($"{_server.Endpoint.TrimEnd('/')}/_citadel/dev/advance-time?by=366d", null)).EnsureSuccessStatusCode();
        }

        var rotations = await _root.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        Assert.Equal(RotationType.AUTOMATIC, Assert.Single(rotations.Rotations).RotationType);
        var (status, decrypted) = await _service.CallAsync("Decrypt", new { CiphertextBlob = first.GetProperty("CiphertextBlob").GetString() }, _userArn);
        Assert.Equal(200, status);
        Assert.Equal("b2xk", decrypted.GetProperty("Plaintext").GetString());
    }

    private async Task<List<AliasListEntry>> ListAllAliasesAsync()
    {
        var all = new List<AliasListEntry>();
        string? marker = null;
        do
        {
            var page = await _root.ListAliasesAsync(new ListAliasesRequest { Marker = marker, Limit = 100 });
            all.AddRange(page.Aliases);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        return all;
    }
}
