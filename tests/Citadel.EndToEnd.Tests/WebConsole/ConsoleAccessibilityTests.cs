using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>The console without a mouse, with every control labelled, and on a narrow window; on a server of its own.</summary>
[Trait("Issue", "21")]
public sealed class ConsoleAccessibilityTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    /// <summary>The page's controls that have no accessible name: no label, aria-label or aria-labelledby, or a button without text.</summary>
    private const string UnlabelledControls = """
        return [...document.querySelectorAll('input, select, textarea, button')]
          .filter(c => c.type !== 'hidden' && c.getClientRects().length > 0)
          .filter(c => c.tagName === 'BUTTON'
            ? !(c.textContent.trim() || c.getAttribute('aria-label'))
            : !(c.labels?.length || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby')))
          .map(c => c.outerHTML.slice(0, 120));
        """;

    [Fact]
    public async Task Sign_in_the_key_list_and_a_key_page_work_by_keyboard_alone()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Description = "Keyboard key" })).KeyMetadata;
        using var browser = new Browser();
        browser.Open(fixture.Origin + "/console/");
        Assert.Equal("Sign in", browser.Heading);

        TabTo(browser, e => e.GetAttribute("name") == "accessKeyId").SendKeys("test");
        TabTo(browser, e => e.GetAttribute("name") == "secretAccessKey").SendKeys("test" + Keys.Enter);
        browser.Find("#sign-out");
        Assert.Equal("Customer managed keys", browser.Heading);
        Assert.Equal("h1", browser.Driver.SwitchTo().ActiveElement().TagName);
        browser.WaitForText("Page 1:");

        TabTo(browser, e => e.TagName == "a" && e.Text == key.KeyId).SendKeys(Keys.Enter);
        browser.WaitForText("General configuration");
        Assert.Equal("Keyboard key", browser.Fact("Description"));
        browser.WaitForText("No tags.");

        TabTo(browser, e => e.TagName == "button" && e.Text == "Disable key").SendKeys(Keys.Enter);
        Assert.Equal("Disable key", browser.Find("dialog[open] #confirm-ok").Text);
        new Actions(browser.Driver).SendKeys(Keys.Escape).Perform();
        browser.Until(() => browser.Driver.FindElements(By.CssSelector("dialog[open]")).Count == 0 ? "closed" : null, "the dialog to close on Escape");
        Assert.Equal(KeyState.Enabled, (await fixture.Admin.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);

        TabTo(browser, e => e.GetAttribute("name") == "tagKey").SendKeys("team");
        TabTo(browser, e => e.GetAttribute("name") == "tagValue").SendKeys("keyboard" + Keys.Enter);
        browser.WaitForText("Tag team saved.");
        Assert.Equal("keyboard", Assert.Single((await fixture.Admin.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId })).Tags).TagValue);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task Every_control_of_every_page_has_a_label()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var browser = new Browser();
        browser.Open(fixture.Origin + "/console/");
        browser.Find("input[name=accessKeyId]");
        Assert.Equal([], Unlabelled(browser, "sign in"));
        browser.SignIn(fixture.Origin, "test", "test");

        foreach (var (hash, ready) in new[]
        {
            ("#/keys/customer", "Page 1:"), ("#/keys/aws", "Page 1:"), ($"#/key/{key.KeyId}", "Rotation history"), ("#/create", "Key type"), ("#/audit", "Look up by"),
        })
        {
            browser.Open($"{fixture.Origin}/console/{hash}");
            browser.WaitForText(ready);
            if (hash == "#/create")
            {
                browser.Field("Import my own key material (symmetric and HMAC keys)").Click();
            }

            Assert.Equal([], Unlabelled(browser, hash));
        }

        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Theory]
    [InlineData("#/keys/customer", "Page 1:")]
    [InlineData("#/key/{0}", "Rotation history")]
    [InlineData("#/create", "Key type")]
    [InlineData("#/audit", "Look up by")]
    public async Task A_page_fits_a_400_pixel_wide_window_without_scrolling_sideways(string hash, string ready)
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await fixture.Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = "arn:aws:iam::111122223333:root", Operations = ["Encrypt"] });
        using var browser = new Browser(width: 400, height: 900);
        browser.SignIn(fixture.Origin, "test", "test");

        browser.Open($"{fixture.Origin}/console/{string.Format(System.Globalization.CultureInfo.InvariantCulture, hash, key.KeyId)}");
        browser.WaitForText(ready);

        var widths = (IReadOnlyDictionary<string, object>)browser.Script("""
            return { page: document.documentElement.scrollWidth, window: window.innerWidth, client: document.documentElement.clientWidth,
              widest: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest('.scroll')).map(e => e.tagName + '.' + e.className).slice(0, 5).join(' ') }
            """)!;
        Assert.Equal(400L, Convert.ToInt64(widths["window"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Convert.ToInt64(widths["page"], System.Globalization.CultureInfo.InvariantCulture) <= Convert.ToInt64(widths["client"], System.Globalization.CultureInfo.InvariantCulture),
            $"{hash} is {widths["page"]} px wide in a 400 px window ({widths["client"]} px besides the scroll bar); wider than that: {widths["widest"]}");
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    private static List<string> Unlabelled(Browser browser, string page) =>
        ((IReadOnlyCollection<object>)browser.Script(UnlabelledControls)!).Select(o => $"{page}: {o}").ToList();

    /// <summary>Presses Tab until the focused element is the one wanted (at most 80 times), and returns it.</summary>
    private static IWebElement TabTo(Browser browser, Func<IWebElement, bool> wanted)
    {
        for (var i = 0; i < 80; i++)
        {
            new Actions(browser.Driver).SendKeys(Keys.Tab).Perform();
            var focused = browser.Driver.SwitchTo().ActiveElement();
            if (wanted(focused))
            {
                return focused;
            }
        }

        throw new Xunit.Sdk.XunitException($"80 presses of Tab did not reach the element; focus is on {browser.Driver.SwitchTo().ActiveElement().GetAttribute("outerHTML")}");
    }
}
