using System.Net;
using Citadel.Server.Hosting;

namespace Citadel.Server.Tests.Hosting;

/// <summary>The trustedProxies setting and the forwarded-headers options built from it.</summary>
[Trait("Issue", "22")]
public sealed class TrustedProxiesTests
{
    [Theory]
    [InlineData("10.0.0.7", "10.0.0.7/32")]
    [InlineData(" 10.1.0.0/16 ", "10.1.0.0/16")]
    [InlineData("fd00::7", "fd00::7/128")]
    [InlineData("fd00::/8", "fd00::/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void An_address_or_a_network_parses_to_the_network_it_names(string text, string expected)
    {
        Assert.True(TrustedProxies.TryParse(text, out var network, out var error));

        Assert.Equal(expected, network.ToString());
        Assert.Null(error);
    }

    [Fact]
    public void Only_the_listed_proxies_are_trusted_in_both_IPv4_forms_and_every_hop_is_read()
    {
        var options = CitadelHost.ForwardedHeaders([IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("fd00::/8")]);

        Assert.Empty(options.KnownProxies);
        Assert.Equal(["10.1.0.0/16", "::ffff:10.1.0.0/112", "fd00::/8"], options.KnownIPNetworks.Select(n => n.ToString()));
        Assert.Null(options.ForwardLimit);
        Assert.True(options.KnownIPNetworks[1].Contains(IPAddress.Parse("10.1.2.3").MapToIPv6()));
    }
}
