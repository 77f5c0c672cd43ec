using Amazon.KeyManagementService.Model;
using OpenQA.Selenium;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>Grants created, retired and revoked on a key's page, and the policy editor's lockout check (the browser's warning and the server's refusal).</summary>
[Trait("Issue", "21")]
public sealed class ConsoleGrantsAndPolicyTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task A_grant_is_created_with_operations_a_retiring_principal_and_a_constraint_then_retired()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var (grantee, _) = await fixture.UserAsync("grantee", policy: null);
        var (retiring, _) = await fixture.UserAsync("retiring", policy: null);
        using var browser = OpenKey(key.KeyId);

        browser.Type("Grantee principal", grantee.Arn);
        browser.Field("Encrypt").Click();
        browser.Field("Decrypt").Click();
        browser.Type("Retiring principal (optional)", retiring.Arn);
        browser.Choose("Constraint", "Encryption context includes (subset)");
        browser.Type("Encryption context of the constraint (key=value, one a line)", "app=payments");
        browser.Type("Grant name (optional)", "console-grant");
        browser.Click("Create grant");
        browser.WaitForText("Grant created.");

        var grant = Assert.Single((await ListGrants(key.KeyId)).Grants);
        Assert.Equal(grantee.Arn, grant.GranteePrincipal);
        Assert.Equal(retiring.Arn, grant.RetiringPrincipal);
        Assert.Equal(["Decrypt", "Encrypt"], grant.Operations.Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "payments" }, grant.Constraints.EncryptionContextSubset);
        Assert.Equal("console-grant", grant.Name);
        var row = browser.Find("table.grants tbody tr").Text;
        Assert.Contains("context includes app=payments", row, StringComparison.Ordinal);
        browser.Screenshot("grants");

        browser.Find("button[aria-label='Retire grant console-grant']").Click();
        browser.Confirm("Retire grant");
        browser.WaitForText("Grant console-grant retired.");
        Assert.Empty((await ListGrants(key.KeyId)).Grants);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_grant_is_revoked_and_a_grant_without_operations_or_with_a_bad_context_is_not_sent()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var (grantee, _) = await fixture.UserAsync("revokee", policy: null);
        using var browser = OpenKey(key.KeyId);

        browser.Type("Grantee principal", grantee.Arn);
        browser.Click("Create grant");
        browser.WaitForText("Choose at least one operation.");
        browser.Field("DescribeKey").Click();
        browser.Choose("Constraint", "Encryption context equals");
        browser.Type("Encryption context of the constraint (key=value, one a line)", "no equals sign");
        browser.Click("Create grant");
        browser.WaitForText("Line 1 of the encryption context is not key=value.");
        Assert.Empty((await ListGrants(key.KeyId)).Grants);

        browser.Choose("Constraint", "None");
        browser.Click("Create grant");
        browser.WaitForText("Grant created.");
        var grant = Assert.Single((await ListGrants(key.KeyId)).Grants);
        Assert.Null(grant.Constraints);

        browser.Find($"button[aria-label='Revoke grant {grant.GrantId}']").Click();
        browser.Confirm("Revoke grant");
        browser.WaitForText($"Grant {grant.GrantId} revoked.");
        Assert.Empty((await ListGrants(key.KeyId)).Grants);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_policy_that_would_lock_the_signed_in_principal_out_is_warned_about_and_not_sent_when_canceled()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var (app, _) = await fixture.UserAsync("app", policy: null);
        var before = await Policy(key.KeyId);
        using var browser = OpenKey(key.KeyId);

        browser.Click("Edit policy");
        browser.Type("Key policy (JSON)", $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{app.Arn}}"},"Action":"kms:Encrypt","Resource":"*"}]}""");
        browser.Click("Save policy");

        var text = browser.Find("dialog[open]").Text;
        Assert.Contains("This policy may lock you out of the key", text, StringComparison.Ordinal);
        Assert.Contains("No statement allows kms:PutKeyPolicy to arn:aws:iam::111122223333:root, by name or through its account.", text, StringComparison.Ordinal);
        browser.Find("dialog[open] #confirm-cancel").Click();
        browser.WaitForText("Not saved: No statement allows kms:PutKeyPolicy to arn:aws:iam::111122223333:root");
        Assert.Equal(before, await Policy(key.KeyId));
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_policy_that_would_lock_the_signed_in_principal_out_is_refused_by_the_server_when_saved_anyway()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var (app, _) = await fixture.UserAsync("app", policy: null);
        var before = await Policy(key.KeyId);
        using var browser = OpenKey(key.KeyId);

        browser.Click("Edit policy");
        browser.Type("Key policy (JSON)", $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"NoPolicyChanges","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Put*","Resource":"*"},
              {"Effect":"Allow","Principal":{"AWS":"{{app.Arn}}"},"Action":"kms:Encrypt","Resource":"*"}]}
            """);
        browser.Click("Save policy");
        Assert.Contains("Statement \"NoPolicyChanges\" denies kms:PutKeyPolicy to arn:aws:iam::111122223333:root.", browser.Find("dialog[open]").Text, StringComparison.Ordinal);
        browser.Confirm("Save anyway");

        browser.WaitForText("MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future.");
        Assert.Equal(before, await Policy(key.KeyId));
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_policy_that_keeps_the_signed_in_principal_in_control_is_saved_without_a_warning()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var (app, _) = await fixture.UserAsync("app", policy: null);
        var policy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"{{app.Arn}}"},"Action":"kms:Encrypt","Resource":"*"}]}""";
        using var browser = OpenKey(key.KeyId);

        browser.Click("Edit policy");
        browser.Type("Key policy (JSON)", policy);
        browser.Click("Save policy");

        browser.WaitForText("Key policy saved.");
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("dialog[open]")));
        Assert.Equal(policy, await Policy(key.KeyId));
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    private Browser OpenKey(string keyId)
    {
        var browser = new Browser();
        browser.SignIn(fixture.Origin, "test", "test");
        browser.Open($"{fixture.Origin}/console/#/key/{keyId}");
        browser.WaitForText("General configuration");
        return browser;
    }

    private Task<ListGrantsResponse> ListGrants(string keyId) => fixture.Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = keyId });

    private async Task<string> Policy(string keyId) =>
        (await fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = keyId, PolicyName = "default" })).Policy;
}
