using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OpenQA.Selenium;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>The key page's usage chart: requests per day by operation, from LookupEvents by the key's ARN.</summary>
[Trait("Issue", "21")]
public sealed class ConsoleUsageTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task The_usage_chart_counts_a_key_s_requests_by_operation()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        for (var i = 0; i < 3; i++)
        {
            await fixture.Admin.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream("secret"u8.ToArray()) });
        }

        for (var i = 0; i < 2; i++)
        {
            await fixture.Admin.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 });
        }

        using var browser = new Browser();
        browser.SignIn(fixture.Origin, "test", "test");
        browser.Open($"{fixture.Origin}/console/#/key/{key.KeyId}");

        var legend = browser.Find("ul.legend").Text;
        Assert.Contains("Encrypt: 3", legend, StringComparison.Ordinal);
        Assert.Contains("GenerateDataKey: 2", legend, StringComparison.Ordinal);
        Assert.Contains("CreateKey: 1", legend, StringComparison.Ordinal);
        Assert.DoesNotContain("Decrypt", legend, StringComparison.Ordinal);
        Assert.Equal(3, BarTotal(browser, "Encrypt"));
        Assert.Equal(2, BarTotal(browser, "GenerateDataKey"));
        Assert.Equal(1, BarTotal(browser, "CreateKey"));
        browser.Script("document.querySelector('svg.usage-chart').scrollIntoView({ block: 'center' })");
        browser.Screenshot("usage");
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task A_principal_without_cloudtrail_LookupEvents_sees_the_denial_in_the_usage_section_only()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Description = "Used by the app" })).KeyMetadata;
        var (user, accessKey) = await fixture.UserAsync("kmsonly", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""");
        using var browser = new Browser();
        browser.SignIn(fixture.Origin, accessKey.Id, accessKey.Secret);

        browser.Open($"{fixture.Origin}/console/#/key/{key.KeyId}");

        var page = browser.WaitForText("is not authorized to perform: cloudtrail:LookupEvents");
        Assert.Contains($"AccessDeniedException: User: {user.Arn} is not authorized to perform: cloudtrail:LookupEvents", page, StringComparison.Ordinal);
        Assert.Equal("Used by the app", browser.Fact("Description"));
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("svg.usage-chart")));
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    /// <summary>The sum of the chart's bars of one operation (over every day, so that a test across midnight UTC counts the same).</summary>
    private static int BarTotal(Browser browser, string operation) =>
        browser.Driver.FindElements(By.CssSelector($"svg.usage-chart rect[data-operation='{operation}']"))
            .Sum(bar => int.Parse(bar.GetAttribute("data-count")!, System.Globalization.CultureInfo.InvariantCulture));
}
