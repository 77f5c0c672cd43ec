using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using OpenQA.Selenium;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>
/// Over plain http on an address that is not loopback, a browser offers no WebCrypto (it is not a
/// secure context), so the console cannot sign: it says so and does not offer to sign in.
/// </summary>
[Trait("Issue", "21")]
public sealed class InsecureContextTests
{
    [Fact]
    public async Task Over_plain_http_on_a_network_address_the_console_refuses_to_sign_in_and_says_why()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? throw new InvalidOperationException("This test needs an IPv4 address of a network interface other than loopback (plain http there is not a secure context).");
        await using var server = await CitadelServer.StartAsync(configure: s =>
        {
            s.Listen = $"{address}:0";
            s.DevListenAnywhere = true;
        });
        using var browser = new Browser();

        browser.Open(server.Endpoint.TrimEnd('/') + "/console/");

        var page = browser.WaitForText("not a secure context");
        Assert.Contains("Open the console over https (tls: in the configuration file), or on localhost / 127.0.0.1.", page, StringComparison.Ordinal);
        Assert.False(browser.Driver.FindElement(By.XPath("//button[normalize-space()='Sign in']")).Enabled);
        browser.AssertNoConsoleErrors(server.Endpoint);
    }
}
