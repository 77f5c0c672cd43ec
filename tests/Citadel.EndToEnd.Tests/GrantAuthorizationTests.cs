using Amazon.KeyManagementService.Model;
using static Citadel.EndToEnd.Tests.AuthorizationTests;

namespace Citadel.EndToEnd.Tests;

/// <summary>Grants through the AWS SDK (KMS developer guide, "Grants in AWS KMS"; CreateGrant, RetireGrant, RevokeGrant API references).</summary>
[Collection("authorization")]
public sealed class GrantAuthorizationTests(AuthorizationFixture fixture)
{
    private static readonly byte[] Plaintext = "secret"u8.ToArray();

    [Fact]
    public async Task A_grant_lets_a_user_without_policies_use_the_key_for_its_operations_only()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        await GrantAsync(key, grantee.Arn, ["Encrypt", "Decrypt"]);

        var encrypted = await grantee.Kms.EncryptAsync(key.Arn, Plaintext);
        var decrypted = await grantee.Kms.DecryptAsync(encrypted.CiphertextBlob);
        var describe = () => grantee.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn });

        Assert.Equal(Plaintext, decrypted.Plaintext.ToArray());
        await DeniedAsync(describe, $"User: {grantee.Arn} is not authorized to perform: kms:DescribeKey on resource: {key.Arn} because no identity-based policy allows the kms:DescribeKey action");
    }

    [Fact]
    public async Task A_grant_does_not_help_anyone_but_its_grantee()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var other = await fixture.UserAsync();
        await GrantAsync(key, grantee.Arn, ["Encrypt"]);

        var act = () => other.Kms.EncryptAsync(key.Arn, Plaintext);

        await DeniedAsync(act, $"User: {other.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task A_grant_lets_a_principal_of_another_account_use_the_key()
    {
        var key = await fixture.KeyAsync();
        var stranger = await fixture.OtherUserAsync();
        await GrantAsync(key, stranger.Arn, ["Encrypt"]);

        var encrypted = await stranger.Kms.EncryptAsync(key.Arn, Plaintext);

        Assert.Equal(key.Arn, encrypted.KeyId);
    }

    [Fact]
    public async Task A_grant_does_not_override_an_explicit_deny()
    {
        var grantee = await fixture.UserAsync();
        var key = await fixture.KeyAsync(Policies.Document(Policies.RootStatement(), Policies.For(grantee.Arn, "Deny", "kms:Encrypt")));
        await GrantAsync(key, grantee.Arn, ["Encrypt"]);

        var act = () => grantee.Kms.EncryptAsync(key.Arn, Plaintext);

        await DeniedAsync(act, $"User: {grantee.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in a resource-based policy");
    }

    [Theory]
    [InlineData("app=a", true)]
    [InlineData("app=a,env=b", false)]
    [InlineData("app=b", false)]
    [InlineData("", false)]
    public async Task EncryptionContextEquals_requires_exactly_that_context(string context, bool allowed)
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        await GrantAsync(key, grantee.Arn, ["Encrypt"], new GrantConstraints { EncryptionContextEquals = Kms.Context("app", "a") });

        var act = () => grantee.Kms.EncryptAsync(key.Arn, Plaintext, ContextOf(context));

        await OutcomeAsync(act, allowed, $"User: {grantee.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Theory]
    [InlineData("app=a", true)]
    [InlineData("app=a,env=b", true)]
    [InlineData("env=b", false)]
    [InlineData("app=A", false)]
    [InlineData("", false)]
    public async Task EncryptionContextSubset_requires_the_context_to_contain_its_pairs(string context, bool allowed)
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        await GrantAsync(key, grantee.Arn, ["Encrypt"], new GrantConstraints { EncryptionContextSubset = Kms.Context("app", "a") });

        var act = () => grantee.Kms.EncryptAsync(key.Arn, Plaintext, ContextOf(context));

        await OutcomeAsync(act, allowed, $"User: {grantee.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task CreateGrant_with_the_same_Name_and_parameters_returns_the_same_grant()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();

        var first = await GrantAsync(key, grantee.Arn, ["Encrypt", "Decrypt"], name: "app-grant");
        var second = await GrantAsync(key, grantee.Arn, ["Decrypt", "Encrypt"], name: "app-grant");
        var different = await GrantAsync(key, grantee.Arn, ["Encrypt"], name: "app-grant");

        Assert.Equal(first.GrantId, second.GrantId);
        Assert.NotEqual(first.GrantId, different.GrantId);
        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Equal(2, listed.Grants.Count);
    }

    [Fact]
    public async Task ListGrants_shows_each_grant_with_every_member()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var retiring = await fixture.RoleAsync();
        var before = DateTime.UtcNow.AddSeconds(-5);
        var created = await GrantAsync(
            key,
            grantee.Arn,
            ["Encrypt", "Decrypt"],
            new GrantConstraints { EncryptionContextSubset = Kms.Context("app", "a") },
            "named",
            retiring.Arn);

        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });

        var grant = Assert.Single(listed.Grants);
        Assert.Equal(key.Arn, grant.KeyId);
        Assert.Equal(created.GrantId, grant.GrantId);
        Assert.Matches("^[0-9a-f]{64}$", grant.GrantId);
        Assert.Equal("named", grant.Name);
        Assert.InRange(grant.CreationDate!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(grantee.Arn, grant.GranteePrincipal);
        Assert.Equal(retiring.Arn, grant.RetiringPrincipal);
        Assert.Equal($"arn:aws:iam::{Kms.Account}:root", grant.IssuingAccount);
        Assert.Equal(["Encrypt", "Decrypt"], grant.Operations);
        Assert.Equal(Kms.Context("app", "a"), grant.Constraints.EncryptionContextSubset);
        Assert.Null(grant.Constraints.EncryptionContextEquals);
        Assert.False(listed.Truncated);
    }

    [Fact]
    public async Task ListGrants_filters_by_grantee_and_by_grant_id()
    {
        var key = await fixture.KeyAsync();
        var alice = await fixture.UserAsync();
        var bob = await fixture.UserAsync();
        var aliceGrant = await GrantAsync(key, alice.Arn, ["Encrypt"]);
        var bobGrant = await GrantAsync(key, bob.Arn, ["Decrypt"]);

        var byGrantee = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GranteePrincipal = bob.Arn });
        var byId = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GrantId = aliceGrant.GrantId });

        Assert.Equal(bobGrant.GrantId, Assert.Single(byGrantee.Grants).GrantId);
        Assert.Equal(aliceGrant.GrantId, Assert.Single(byId.Grants).GrantId);
    }

    [Fact]
    public async Task ListRetirableGrants_lists_the_grants_a_principal_may_retire_with_their_key_ARN()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var retiring = await fixture.RoleAsync();
        var created = await GrantAsync(key, grantee.Arn, ["Decrypt"], retiringPrincipal: retiring.Arn);
        await GrantAsync(key, grantee.Arn, ["Encrypt"]);

        var listed = await fixture.Admin.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retiring.Arn });

        var grant = Assert.Single(listed.Grants);
        Assert.Equal(created.GrantId, grant.GrantId);
        Assert.Equal(key.Arn, grant.KeyId);
        Assert.Equal(retiring.Arn, grant.RetiringPrincipal);
        Assert.Equal(["Decrypt"], grant.Operations);
        Assert.False(listed.Truncated);
    }

    [Fact]
    public async Task ListRetirableGrants_is_denied_to_a_user_without_an_identity_policy_for_it()
    {
        var user = await fixture.UserAsync();

        var act = () => user.Kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = user.Arn });

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:ListRetirableGrants on resource: * because no identity-based policy allows the kms:ListRetirableGrants action");
    }

    [Fact]
    public async Task The_retiring_principal_retires_a_grant_by_its_token_and_the_grantee_loses_access()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var retiring = await fixture.RoleAsync();
        var created = await GrantAsync(key, grantee.Arn, ["Encrypt"], retiringPrincipal: retiring.Arn);
        await grantee.Kms.EncryptAsync(key.Arn, Plaintext);

        await retiring.Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = created.GrantToken });

        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Empty(listed.Grants);
        await DeniedAsync(
            () => grantee.Kms.EncryptAsync(key.Arn, Plaintext),
            $"User: {grantee.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task The_retiring_principal_retires_a_grant_by_key_and_grant_id()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var retiring = await fixture.UserAsync();
        var created = await GrantAsync(key, grantee.Arn, ["Encrypt"], retiringPrincipal: retiring.Arn);

        await retiring.Kms.RetireGrantAsync(new RetireGrantRequest { KeyId = key.Arn, GrantId = created.GrantId });

        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Empty(listed.Grants);
    }

    [Fact]
    public async Task A_grantee_whose_grant_includes_RetireGrant_may_retire_it()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var created = await GrantAsync(key, grantee.Arn, ["Encrypt", "RetireGrant"]);

        await grantee.Kms.RetireGrantAsync(new RetireGrantRequest { KeyId = key.Arn, GrantId = created.GrantId });

        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Empty(listed.Grants);
    }

    [Fact]
    public async Task A_grantee_without_RetireGrant_and_any_other_principal_may_not_retire_the_grant()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var other = await fixture.UserAsync(Policies.Allowing("kms:*"));
        var created = await GrantAsync(key, grantee.Arn, ["Encrypt"]);

        var byGrantee = () => grantee.Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = created.GrantToken });
        var byOther = () => other.Kms.RetireGrantAsync(new RetireGrantRequest { KeyId = key.Arn, GrantId = created.GrantId });

        await DeniedAsync(byGrantee, RetireDenied(grantee.Arn, key.Arn));
        await DeniedAsync(byOther, RetireDenied(other.Arn, key.Arn));
        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Single(listed.Grants);
    }

    [Fact]
    public async Task RevokeGrant_removes_the_grant_and_the_grantee_loses_access()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var created = await GrantAsync(key, grantee.Arn, ["Encrypt"]);
        await grantee.Kms.EncryptAsync(key.Arn, Plaintext);

        await fixture.Admin.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = created.GrantId });

        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Empty(listed.Grants);
        await DeniedAsync(
            () => grantee.Kms.EncryptAsync(key.Arn, Plaintext),
            $"User: {grantee.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task RevokeGrant_is_denied_to_a_user_without_permission_and_the_grant_stays()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var created = await GrantAsync(key, grantee.Arn, ["Encrypt", "RetireGrant"]);

        var act = () => grantee.Kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.Arn, GrantId = created.GrantId });

        await DeniedAsync(act, $"User: {grantee.Arn} is not authorized to perform: kms:RevokeGrant on resource: {key.Arn} because no identity-based policy allows the kms:RevokeGrant action");
        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Single(listed.Grants);
    }

    [Fact]
    public async Task A_grant_token_is_accepted_with_the_request_that_uses_the_grant()
    {
        var key = await fixture.KeyAsync();
        var grantee = await fixture.UserAsync();
        var created = await GrantAsync(key, grantee.Arn, ["Encrypt", "Decrypt"]);

        var encrypted = await grantee.Kms.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = new MemoryStream(Plaintext), GrantTokens = [created.GrantToken] });
        var decrypted = await grantee.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, GrantTokens = [created.GrantToken] });

        Assert.Equal(Plaintext, decrypted.Plaintext.ToArray());
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("Y2l0YWRlbC1ncmFudC12MTp4Onk")]
    public async Task A_malformed_grant_token_fails_with_InvalidGrantToken(string token)
    {
        var key = await fixture.KeyAsync();

        var encrypt = () => fixture.Admin.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = new MemoryStream(Plaintext), GrantTokens = [token] });
        var retire = () => fixture.Admin.RetireGrantAsync(new RetireGrantRequest { GrantToken = token });

        await Kms.FailsAsync<InvalidGrantTokenException>(encrypt, "InvalidGrantTokenException", "Invalid grant token.");
        await Kms.FailsAsync<InvalidGrantTokenException>(retire, "InvalidGrantTokenException", "Invalid grant token.");
    }

    [Fact]
    public async Task CreateGrant_is_denied_to_a_user_without_permission_and_creates_nothing()
    {
        var key = await fixture.KeyAsync();
        var user = await fixture.UserAsync(Policies.Allowing("kms:Encrypt"));

        var act = () => user.Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.Arn, GranteePrincipal = user.Arn, Operations = ["Decrypt"] });

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:CreateGrant on resource: {key.Arn} because no identity-based policy allows the kms:CreateGrant action");
        var listed = await fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        Assert.Empty(listed.Grants);
    }

    [Fact]
    public async Task A_condition_on_kms_GrantOperations_limits_the_grants_a_user_may_create()
    {
        var key = await fixture.KeyAsync();
        var user = await fixture.UserAsync(Policies.Allowing("kms:CreateGrant", """{"ForAllValues:StringEquals": {"kms:GrantOperations": ["Encrypt", "Decrypt"]}}"""));
        var grantee = await fixture.UserAsync();

        await user.Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.Arn, GranteePrincipal = grantee.Arn, Operations = ["Decrypt"] });
        var act = () => user.Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.Arn, GranteePrincipal = grantee.Arn, Operations = ["Decrypt", "CreateGrant"] });

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:CreateGrant on resource: {key.Arn} because no identity-based policy allows the kms:CreateGrant action");
    }

    private static string RetireDenied(string caller, string keyArn) =>
        $"User: {caller} is not authorized to perform: kms:RetireGrant on resource: {keyArn} because it is neither the grant's retiring principal, nor its grantee with the RetireGrant operation, nor the account that created it";

    private async Task<CreateGrantResponse> GrantAsync(
        KeyMetadata key,
        string grantee,
        List<string> operations,
        GrantConstraints? constraints = null,
        string? name = null,
        string? retiringPrincipal = null) =>
        await fixture.Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId,
            GranteePrincipal = grantee,
            Operations = operations,
            Constraints = constraints,
            Name = name,
            RetiringPrincipal = retiringPrincipal,
        });

    private static Dictionary<string, string>? ContextOf(string pairs) =>
        pairs.Length == 0 ? null : pairs.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
