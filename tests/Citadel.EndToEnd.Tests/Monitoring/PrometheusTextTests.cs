namespace Citadel.EndToEnd.Tests.Monitoring;

/// <summary>The test parser must refuse what the exposition format refuses, or a broken /metrics would pass.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void A_well_formed_exposition_is_read_with_labels_escapes_and_special_values()
    {
        var scrape = PrometheusText.Parse("""
            # HELP a_total Things.
            # TYPE a_total counter
            a_total{op="Encrypt",msg="say \"hi\"\\n"} 3
            a_total{op="Decrypt"} 1 1700000000000
            # TYPE h histogram
            h_bucket{le="+Inf"} 2
            h_sum 0.5
            h_count 2
            g NaN

            """.Replace("\r", "", StringComparison.Ordinal));

        Assert.Equal(3, scrape.Value("a_total", ("op", "Encrypt")));
        Assert.Equal("say \"hi\"\\n", scrape.Matching("a_total", ("op", "Encrypt")).Single().Labels["msg"]);
        Assert.Equal(2, scrape.Value("h_count"));
        Assert.True(double.IsNaN(scrape.Value("g")));
    }

    [Theory]
    [InlineData("1a 3\n")]
    [InlineData("a{1b=\"x\"} 3\n")]
    [InlineData("a{b=x} 3\n")]
    [InlineData("a{b=\"x\"}3\n")]
    [InlineData("a three\n")]
    [InlineData("a 3")]
    [InlineData("a{b=\"x\" 3\n")]
    [InlineData("# TYPE a counter\n# TYPE a counter\na 1\n")]
    [InlineData("a 1\n# TYPE a counter\n")]
    [InlineData("# TYPE a counter\na 1\nb 2\na 3\n")]
    [InlineData("# TYPE h histogram\nh 1\n")]
    [InlineData("# TYPE a kounter\na 1\n")]
    public void A_malformed_exposition_is_refused(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
    }
}
