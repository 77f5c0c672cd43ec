using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>
/// Debian's Chromium, headless, driven through Debian's chromedriver (scripts/test.sh installs both;
/// nothing is downloaded). Each browser has a fresh profile, so no state passes between tests.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public const string DriverPath = "/usr/bin/chromedriver";

    /// <summary>Set to a directory (or to 1, for docs/console) to have the tests save their screenshots there.</summary>
    public const string ScreenshotVariable = "CITADEL_CONSOLE_SCREENSHOTS";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _profile;
    private readonly List<LogEntry> _log = [];

    public Browser(int width = 1280, int height = 1000)
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException(
                $"The web console's browser tests need Debian's Chromium ({ChromiumPath}) and its driver ({DriverPath}), and they are not installed. "
                + "Run scripts/test.sh as root (it installs them), or: sudo apt-get install -y chromium chromium-driver");
        }

        _profile = Directory.CreateTempSubdirectory("citadel-chromium-").FullName;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };

        // The machine may have no network: nothing may reach out (updates, sync, QUIC probes).
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", $"--user-data-dir={_profile}", $"--window-size={width},{height}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Driver = new ChromeDriver(service, options, Patience);

        // Headless Chromium keeps a window at least about 500 px wide; the page's viewport is set exactly.
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false,
        });
    }

    public ChromeDriver Driver { get; }

    public void Open(string url) => Driver.Navigate().GoToUrl(url);

    /// <summary>Signs in on the console of <paramref name="origin"/>; with <paramref name="expectSignedIn"/>, waits for the sign-out button.</summary>
    public void SignIn(string origin, string accessKeyId, string secret, bool expectSignedIn = true, string? screenshot = null)
    {
        Open(origin + "/console");
        Assert.Equal("Sign in", Heading);
        if (screenshot is not null)
        {
            Screenshot(screenshot);
        }

        Type("Access key ID", accessKeyId);
        Type("Secret access key", secret);
        Field("Secret access key").Submit();
        if (expectSignedIn)
        {
            Find("#sign-out");
        }
    }

    /// <summary>Waits for the first element the CSS selector finds that is shown.</summary>
    public IWebElement Find(string css) => Until(() => Driver.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed), $"an element {css}");

    /// <summary>The control a label names (the label's for= attribute): fails if a control has no label.</summary>
    public IWebElement Field(string label)
    {
        var element = Until(() => Driver.FindElements(By.XPath($"//label[normalize-space()='{label}']")).FirstOrDefault(e => e.Displayed), $"a label '{label}'");
        return Driver.FindElement(By.Id(element.GetAttribute("for")!));
    }

    public void Type(string label, string text)
    {
        var field = Field(label);
        field.Clear();
        field.SendKeys(text);
    }

    public void Choose(string label, string option) =>
        Field(label).FindElement(By.XPath($"./option[normalize-space()='{option}']")).Click();

    public void Click(string text) =>
        Until(() => Driver.FindElements(By.XPath($"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']")).FirstOrDefault(e => e.Displayed && e.Enabled), $"a button or link '{text}'").Click();

    /// <summary>Confirms the open confirmation dialog.</summary>
    public void Confirm(string okLabel)
    {
        var ok = Find("dialog[open] #confirm-ok");
        Assert.Equal(okLabel, ok.Text);
        ok.Click();
    }

    /// <summary>Waits until the page's text contains <paramref name="text"/>, and returns the page's text.</summary>
    public string WaitForText(string text) =>
        Until(() => Driver.FindElement(By.TagName("main")).Text is var shown && shown.Contains(text, StringComparison.Ordinal) ? shown : null, $"the text '{text}'");

    public string Heading => Find("main h1").Text;

    /// <summary>The value after a term of a description list (dt/dd) on the page.</summary>
    public string Fact(string term) => Until(() => Driver.FindElements(By.XPath($"//dt[normalize-space()='{term}']/following-sibling::dd[1]")).FirstOrDefault()?.Text, $"the fact '{term}'");

    public object? Script(string script) => Driver.ExecuteScript(script);

    /// <summary>Saves a screenshot as &lt;name&gt;.png when <see cref="ScreenshotVariable"/> asks for them.</summary>
    public void Screenshot(string name)
    {
        if (Environment.GetEnvironmentVariable(ScreenshotVariable) is not { Length: > 0 } directory)
        {
            return;
        }

        if (directory == "1")
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "Citadel.sln")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Citadel.sln not found above the test binaries; set CITADEL_CONSOLE_SCREENSHOTS to a directory.");
            }

            directory = Path.Combine(root, "docs", "console");
        }

        Directory.CreateDirectory(directory);
        Driver.GetScreenshot().SaveAsFile(Path.Combine(directory, name + ".png"));
    }

    /// <summary>
    /// Fails on any warning or error in the browser's console. The one exception: Chromium reports every
    /// 400 answer to a fetch ("Failed to load resource: … status of 400"), and a KMS or CloudTrail error
    /// (AccessDeniedException, DisabledException, …) is a 400 from POST / that the page shows as AWS's error.
    /// </summary>
    public void AssertNoConsoleErrors(string endpoint)
    {
        _log.AddRange(Driver.Manage().Logs.GetLog(LogType.Browser));
        var expected = endpoint.TrimEnd('/') + "/ - Failed to load resource: the server responded with a status of 400 (Bad Request)";
        var problems = _log.Where(e => e.Level >= LogLevel.Warning && e.Message != expected).Select(e => $"{e.Level}: {e.Message}").ToList();
        Assert.True(problems.Count == 0, "The browser console has errors:\n" + string.Join("\n", problems));
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Polls until <paramref name="find"/> gives a value; after 30 s fails, saying what was awaited and what the page shows.</summary>
    public T Until<T>(Func<T?> find, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                if (find() is { } found)
                {
                    return found;
                }
            }
            catch (StaleElementReferenceException)
            {
                // The page re-rendered between finding and reading: look again.
            }
            catch (NoSuchElementException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                var page = Driver.FindElements(By.TagName("main")).FirstOrDefault()?.Text ?? Driver.PageSource;
                throw new Xunit.Sdk.XunitException($"Waited 30 s for {what}; the page shows:\n{page}");
            }

            Thread.Sleep(100);
        }
    }
}
