using Amazon.KeyManagementService.Model;
using Citadel.Server.Identity;
using static Citadel.EndToEnd.Tests.Policies;

namespace Citadel.EndToEnd.Tests;

/// <summary>What `citadel iam explain` prints: the decision, the statement that made it, and the trace.</summary>
[Collection("authorization")]
public sealed class ExplainTests(AuthorizationFixture fixture)
{
    private readonly PolicyExplainer _explainer = new(fixture.Store, TimeProvider.System);

    [Fact]
    public async Task Explain_names_the_identity_policy_statement_that_allows()
    {
        var user = await fixture.UserAsync(Document("""{"Sid": "UseKeys", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}"""));
        var key = await fixture.KeyAsync();

        var explanation = await _explainer.ExplainAsync(user.Arn, "Encrypt", key.KeyId, null, CancellationToken.None);

        Assert.True(explanation.Allowed);
        Assert.Equal("ALLOWED by identity policy statement \"UseKeys\"", explanation.Decision);
        Assert.Equal(
            [
                "identity policy \"policy1\" is attached",
                "key policy statement \"Enable IAM User Permissions\": Allow applies",
                "identity policy statement \"UseKeys\": Allow applies",
            ],
            explanation.Trace);
    }

    [Fact]
    [Trait("Issue", "19")]
    public async Task Explain_takes_a_multi_Region_key_by_the_ARN_of_each_Region_and_by_its_mrk_id_as_the_primary()
    {
        var role = await fixture.RoleAsync();
        var primary = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest
        {
            MultiRegion = true,
            BypassPolicyLockoutSafetyCheck = true,
            Policy = Document(RootStatement(), """{"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "ROLE"}, "Action": "kms:Decrypt", "Resource": "*"}""".Replace("ROLE", role.Arn, StringComparison.Ordinal)),
        })).KeyMetadata;
        await fixture.Admin.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "us-west-2", Policy = Document(RootStatement()), BypassPolicyLockoutSafetyCheck = true });
        var westArn = Kms.KeyArn(primary.KeyId, "us-west-2");

        var byId = await _explainer.ExplainAsync(role.Arn, "kms:Decrypt", primary.KeyId, null, CancellationToken.None);
        var byPrimaryArn = await _explainer.ExplainAsync(role.Arn, "kms:Decrypt", primary.Arn, null, CancellationToken.None);
        var byReplicaArn = await _explainer.ExplainAsync(role.Arn, "kms:Decrypt", westArn, null, CancellationToken.None);
        var elsewhere = await _explainer.ExplainAsync(role.Arn, "kms:Decrypt", Kms.KeyArn(primary.KeyId, "eu-west-1"), null, CancellationToken.None);

        Assert.Equal("ALLOWED by key policy statement \"App\"", byId.Decision);
        Assert.Equal("ALLOWED by key policy statement \"App\"", byPrimaryArn.Decision);
        Assert.False(byReplicaArn.Allowed);
        Assert.StartsWith("DENIED: ", byReplicaArn.Decision, StringComparison.Ordinal);
        Assert.Contains($"on resource: {westArn}", byReplicaArn.Decision, StringComparison.Ordinal);
        Assert.Equal($"Key {Kms.KeyArn(primary.KeyId, "eu-west-1")} does not exist.", elsewhere.Decision);
    }

    [Fact]
    public async Task Explain_names_the_key_policy_statement_that_allows_a_principal_it_names()
    {
        var role = await fixture.RoleAsync();
        var key = await fixture.KeyAsync(Document(RootStatement(), """{"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "ROLE"}, "Action": "kms:Decrypt", "Resource": "*"}""".Replace("ROLE", role.Arn, StringComparison.Ordinal)));

        var explanation = await _explainer.ExplainAsync(role.Arn, "kms:Decrypt", key.Arn, null, CancellationToken.None);

        Assert.Equal("ALLOWED by key policy statement \"App\"", explanation.Decision);
    }

    [Fact]
    [Trait("Issue", "23")]
    public async Task Explain_evaluates_a_role_session_with_its_roles_policies_narrowed_by_its_session_policy()
    {
        var role = await fixture.RoleAsync(Document(Identity("Allow", "kms:*")));
        var key = await fixture.KeyAsync();
        var session = $"arn:aws:sts::{Kms.Account}:assumed-role/{role.Arn.Split('/')[^1]}/ci";
        var sessionPolicy = Document(Identity("Allow", "kms:Decrypt"));

        var encrypt = await _explainer.ExplainAsync(session, "kms:Encrypt", key.KeyId, null, CancellationToken.None, sessionPolicy);
        var decrypt = await _explainer.ExplainAsync(session, "kms:Decrypt", key.KeyId, null, CancellationToken.None, sessionPolicy);
        var withoutPolicy = await _explainer.ExplainAsync(session, "kms:Encrypt", key.KeyId, null, CancellationToken.None);

        Assert.Equal($"DENIED: User: {session} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no session policy allows the kms:Encrypt action", encrypt.Decision);
        Assert.Equal($"{session} is a session of {role.Arn}: the role's policies apply, narrowed by the session policy", encrypt.Trace[0]);
        Assert.True(decrypt.Allowed);
        Assert.True(withoutPolicy.Allowed);
    }

    [Fact]
    public async Task Explain_gives_the_denial_message_and_the_statements_that_did_not_apply()
    {
        var user = await fixture.UserAsync(Document(Identity("Allow", "kms:Decrypt")));
        var key = await fixture.KeyAsync();

        var explanation = await _explainer.ExplainAsync(user.Arn, "Encrypt", key.KeyId, null, CancellationToken.None);

        Assert.False(explanation.Allowed);
        Assert.Equal($"DENIED: User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action", explanation.Decision);
        Assert.Contains("identity policy statement #1: action kms:Encrypt does not match", explanation.Trace);
    }

    [Fact]
    public async Task Explain_names_the_explicit_deny()
    {
        var user = await fixture.UserAsync(Allowing("kms:*"));
        var key = await fixture.KeyAsync(Document(RootStatement(), For(user.Arn, "Deny", "kms:Encrypt", """{"Null": {"kms:EncryptionContext:app": "true"}}""")));

        var withoutContext = await _explainer.ExplainAsync(user.Arn, "Encrypt", key.KeyId, null, CancellationToken.None);
        var withContext = await _explainer.ExplainAsync(user.Arn, "Encrypt", key.KeyId, Kms.Context("app", "a"), CancellationToken.None);

        Assert.Equal($"DENIED: User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in a resource-based policy", withoutContext.Decision);
        Assert.True(withContext.Allowed);
        Assert.Contains("key policy statement #2: condition Null on kms:EncryptionContext:app does not hold", withContext.Trace);
    }

    [Fact]
    public async Task Explain_reports_a_grant_that_allows()
    {
        var user = await fixture.UserAsync();
        var key = await fixture.KeyAsync();
        var grant = await fixture.Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = user.Arn, Operations = ["Encrypt"] });

        var explanation = await _explainer.ExplainAsync(user.Arn, "Encrypt", key.Arn, null, CancellationToken.None);

        Assert.Equal("ALLOWED by grant", explanation.Decision);
        Assert.Contains($"grant {grant.GrantId} allows Encrypt to {user.Arn}", explanation.Trace);
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:user/nobody", "1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:iam::111122223333:user/nobody does not exist.")]
    [InlineData("arn:aws:iam::111122223333:root", "1234abcd-12ab-34cd-56ef-1234567890ab", "Key 1234abcd-12ab-34cd-56ef-1234567890ab does not exist.")]
    public async Task Explain_says_when_the_principal_or_key_does_not_exist(string principal, string key, string decision)
    {
        var explanation = await _explainer.ExplainAsync(principal, "Encrypt", key, null, CancellationToken.None);

        Assert.False(explanation.Allowed);
        Assert.Equal(decision, explanation.Decision);
    }
}
