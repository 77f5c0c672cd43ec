using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OpenQA.Selenium;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>
/// "Why was this denied?" from a failed event of the audit timeline: the event, the key policy's
/// statements that apply, the grants, and a reading of them — read as the signed-in principal.
/// </summary>
[Trait("Issue", "21")]
public sealed class ConsoleExplainTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private const string AllowKms = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""";

    [Fact]
    public async Task An_explicit_deny_in_the_key_policy_is_named_as_the_reason()
    {
        var (user, accessKey) = await fixture.UserAsync("denyme", AllowKms);
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"NoEncryptForApp","Effect":"Deny","Principal":{"AWS":"{{user.Arn}}"},"Action":"kms:Encrypt","Resource":"*"}]}
            """;
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata;
        await EncryptIsDeniedAsync(accessKey, key.KeyId);
        using var browser = new Browser();
        browser.SignIn(fixture.Origin, "test", "test");

        var text = Explain(browser, user.Name, "Encrypt", "explicit deny wins");

        Assert.Contains($"Statement \"NoEncryptForApp\" denies kms:Encrypt to {user.Arn}. An explicit deny wins over every allow, so it is the reason.", text, StringComparison.Ordinal);
        Assert.Contains($"The server's message says the request failed with an explicit deny in a resource-based policy.", text, StringComparison.Ordinal);
        Assert.Contains($"No grant of the key gives {user.Arn} the Encrypt operation.", text, StringComparison.Ordinal);
        Assert.Contains("not the server's verdict", text, StringComparison.Ordinal);
        var rows = browser.Driver.FindElements(By.CssSelector("table.explained tbody tr")).Select(r => r.Text).ToList();
        Assert.Equal(["\"Enable IAM User Permissions\" Allow its account (arn:aws:iam::111122223333:root) —", "\"NoEncryptForApp\" Deny itself —"], rows);
        browser.Script("document.querySelector('section.explanation').scrollIntoView()");
        browser.Screenshot("explain");
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_denial_under_the_default_key_policy_is_explained_as_no_identity_policy_allowing_it()
    {
        var (user, accessKey) = await fixture.UserAsync("nopolicy", policy: null);
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await EncryptIsDeniedAsync(accessKey, key.KeyId);
        using var browser = new Browser();
        browser.SignIn(fixture.Origin, "test", "test");

        var text = Explain(browser, user.Name, "Encrypt", "identity (IAM) policies decide");

        Assert.Contains(
            $"Statement \"Enable IAM User Permissions\" lets the account's identity (IAM) policies decide: kms:Encrypt is allowed only if an identity policy of {user.Arn} allows it on this key.",
            text, StringComparison.Ordinal);
        Assert.Contains("The server's message says the request failed because no identity-based policy allows the kms:Encrypt action.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("denies kms:Encrypt", text, StringComparison.Ordinal);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_grant_to_the_principal_is_shown_and_a_policy_naming_no_one_allows_nothing()
    {
        var (user, accessKey) = await fixture.UserAsync("granted", policy: null);
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var grant = await fixture.Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = user.Arn, Operations = ["Decrypt"] });
        await EncryptIsDeniedAsync(accessKey, key.KeyId);
        using var browser = new Browser();
        browser.SignIn(fixture.Origin, "test", "test");

        var text = Explain(browser, user.Name, "Encrypt", "No grant of the key gives");

        Assert.Contains($"No grant of the key gives {user.Arn} the Encrypt operation.", text, StringComparison.Ordinal);
        Assert.DoesNotContain(grant.GrantId, text, StringComparison.Ordinal);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_principal_that_may_not_read_the_key_policy_is_told_so()
    {
        var (user, accessKey) = await fixture.UserAsync("auditor", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"}]}""");
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await EncryptIsDeniedAsync(accessKey, key.KeyId);
        using var browser = new Browser();
        browser.SignIn(fixture.Origin, accessKey.Id, accessKey.Secret);

        var text = Explain(browser, user.Name, "Encrypt", "You may not read this key's policy");

        Assert.Contains("You may not read this key's policy, so the console cannot say which statement applied.", text, StringComparison.Ordinal);
        Assert.Contains($"AccessDeniedException: User: {user.Arn} is not authorized to perform: kms:GetKeyPolicy", text, StringComparison.Ordinal);
        Assert.Contains($"AccessDeniedException: User: {user.Arn} is not authorized to perform: kms:ListGrants", text, StringComparison.Ordinal);
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("table.explained")));

        var listKeys = Explain(browser, user.Name, "ListKeys", "named no key");
        Assert.Contains($"The request named no key, so no key policy or grant applies: only {user.Arn}'s identity (IAM) policies decide kms:ListKeys, and none of them allowed it.", listKeys, StringComparison.Ordinal);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    private async Task EncryptIsDeniedAsync((string Id, string Secret) accessKey, string keyId)
    {
        using var client = fixture.Server.Client(accessKey.Id, accessKey.Secret);
        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(
            () => client.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream("secret"u8.ToArray()) }));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
    }

    /// <summary>Finds the principal's failed <paramref name="operation"/> in the timeline, asks why, and returns the explanation once it shows <paramref name="awaited"/>.</summary>
    private static string Explain(Browser browser, string userName, string operation, string awaited)
    {
        browser.Click("Audit");
        browser.Choose("Look up by", "Principal (user or role name, or root)");
        browser.Type("Value", userName);
        browser.Click("Search");
        // Found and clicked in one step: a search of the same page again replaces the rows under the driver.
        browser.Until(
            () =>
            {
                var button = browser.Driver.FindElements(By.XPath($"//table[contains(@class,'events')]//tr[contains(@class,'failed')][td[2][normalize-space()='{operation}']]//button[contains(@class,'explain')]")).FirstOrDefault();
                button?.Click();
                return button;
            },
            $"the failed {operation} with its explain button");
        return browser.Until(() => browser.Find("section.explanation").Text is var text && text.Contains(awaited, StringComparison.Ordinal) ? text : null, $"an explanation saying '{awaited}'");
    }
}
