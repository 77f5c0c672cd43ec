using Amazon.KeyManagementService.Model;
using OpenQA.Selenium;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>The keys pages' tag filter, on a server of its own (so that every key of the test is on the first page).</summary>
[Trait("Issue", "21")]
public sealed class ConsoleKeyListTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task The_tag_filter_shows_the_keys_with_that_tag_key_or_tag_key_and_value()
    {
        var payments = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "team", TagValue = "payments" }] })).KeyMetadata.KeyId;
        var search = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "team", TagValue = "search" }] })).KeyMetadata.KeyId;
        var untagged = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        using var browser = new Browser();
        browser.SignIn(fixture.Origin, "test", "test");
        browser.WaitForText("Page 1:");

        browser.Type("Tag", "team=payments");
        ShownUntil(browser, [payments]);
        browser.Type("Tag", "team");
        ShownUntil(browser, [payments, search]);
        browser.Type("Tag", "team=ops");
        ShownUntil(browser, []);
        browser.Field("Tag").Clear();
        browser.Field("Tag").SendKeys(" ");
        ShownUntil(browser, [payments, search, untagged], exact: false);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    /// <summary>Waits until the list shows exactly these keys (or, with exact false, at least them).</summary>
    private static void ShownUntil(Browser browser, string[] keyIds, bool exact = true) =>
        browser.Until(
            () =>
            {
                var shown = browser.Driver.FindElements(By.CssSelector("main tbody td a")).Select(a => a.Text).ToHashSet();
                return (exact ? shown.SetEquals(keyIds) : shown.IsSupersetOf(keyIds)) ? "shown" : null;
            },
            $"the keys {string.Join(", ", keyIds)}");
}
