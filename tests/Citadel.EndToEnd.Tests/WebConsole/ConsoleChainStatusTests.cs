using Microsoft.Data.Sqlite;
using OpenQA.Selenium;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>
/// The audit page's chain verification (Citadel's GetAuditChainStatus, signed in the browser) in a real browser, on
/// servers started on copies of <see cref="TamperTrail"/>'s six events: intact, broken after an edit on disk, and
/// AWS's denial for a principal without citadel:GetAuditChainStatus.
/// </summary>
[Trait("Issue", "21")]
public sealed class ConsoleChainStatusTests(TamperTrail trail) : IClassFixture<TamperTrail>, IAsyncLifetime
{
    private readonly string _copy = trail.Copy();
    private CitadelServer _server = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_copy, recursive: true);
    }

    [Fact]
    public async Task The_audit_page_shows_the_chain_intact_with_when_it_was_verified_and_its_records()
    {
        _server = await CitadelServer.StartAsync(_copy);
        using var browser = new Browser();
        browser.SignIn(_server.Endpoint.TrimEnd('/'), "test", "test");

        var state = Verified(browser);

        Assert.Matches(@"^Intact: verified \S.*, \d+ records in 1 chain\.$", state.Text);
        Assert.Contains("intact", state.GetAttribute("class"), StringComparison.Ordinal);
        Assert.Matches(@"^Chain local: \d+ records, intact\.$", browser.Find(".chain p").Text);
        Assert.Empty(browser.Driver.FindElements(By.CssSelector(".first-problem")));
        browser.Screenshot("audit-chain");
        browser.AssertNoConsoleErrors(_server.Endpoint);
    }

    [Fact]
    public async Task The_audit_page_shows_a_chain_with_an_event_changed_on_disk_as_broken_with_its_first_problem()
    {
        TamperTrail.Execute(_copy, TamperTrail.ChangeEncryptToDecrypt + "3;");

        _server = await CitadelServer.StartAsync(_copy);
        using var browser = new Browser();
        browser.SignIn(_server.Endpoint.TrimEnd('/'), "test", "test");

        var state = Verified(browser);

        Assert.Matches(@"^Broken: verified \S.*\. Run `citadel audit verify` on the server for the full report\.$", state.Text);
        Assert.Equal($"First problem: record 3 (event {trail.EventIds[2]}) was changed: its content does not match its hash", browser.Find(".first-problem").Text);
        Assert.Matches(@"^Chain local: \d+ records, broken\.$", browser.Find(".chain p").Text);
        browser.Screenshot("audit-chain-broken");
        browser.AssertNoConsoleErrors(_server.Endpoint);
    }

    [Fact]
    public async Task A_principal_that_may_read_the_trail_but_not_its_verification_sees_AWS_denial_there_and_still_the_search()
    {
        _server = await CitadelServer.StartAsync(_copy);
        var user = await _server.CreateUserAsync("trail-reader", Users.Allow("kms:*", "cloudtrail:LookupEvents"));
        using var browser = new Browser();
        browser.SignIn(_server.Endpoint.TrimEnd('/'), user.AccessKeyId, user.Secret);

        browser.Open($"{_server.Endpoint.TrimEnd('/')}/console/#/audit");
        var denial = browser.Find(".chain-status .error");

        Assert.Equal(
            "AccessDeniedException: User: arn:aws:iam::111122223333:user/trail-reader is not authorized to perform: citadel:GetAuditChainStatus on resource: * because no identity-based policy allows the citadel:GetAuditChainStatus action",
            denial.Text);
        Assert.Empty(browser.Driver.FindElements(By.CssSelector(".chain-state")));
        browser.Click("Search");
        browser.WaitForText("events");
        browser.AssertNoConsoleErrors(_server.Endpoint);
    }

    /// <summary>Opens the audit page and returns its chain state once the server's first verification is stored (the job runs at start).</summary>
    private IWebElement Verified(Browser browser)
    {
        browser.Open($"{_server.Endpoint.TrimEnd('/')}/console/#/audit");
        return browser.Until(
            () =>
            {
                var state = browser.Driver.FindElements(By.CssSelector(".chain-state")).FirstOrDefault();
                if (state is not null && state.Text.StartsWith("Not verified yet", StringComparison.Ordinal))
                {
                    browser.Click("Check again");
                    return null;
                }

                return state;
            },
            "the chain's verification on the audit page");
    }
}
