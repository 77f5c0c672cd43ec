using System.Text;
using Citadel.Server.SigV4;

namespace Citadel.Server.Tests.SigV4;

public sealed class SigV4CanonicalTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes(SigV4TestSuite.Secret);

    [Fact]
    public void The_signing_key_matches_the_AWS_General_Reference_example()
    {
        var key = SigV4Canonical.SigningKey(Secret, "20150830", "us-east-1", "iam");

        Assert.Equal("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void The_signature_matches_the_AWS_General_Reference_IAM_example()
    {
        var key = SigV4Canonical.SigningKey(Secret, "20150830", "us-east-1", "iam");
        const string stringToSign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";

        var signature = SigV4Canonical.Signature(key, stringToSign);

        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", signature);
    }

    [Theory]
    [MemberData(nameof(SigV4TestSuite.Names), MemberType = typeof(SigV4TestSuite))]
    public void The_canonical_request_matches_the_test_suite(string name)
    {
        var suite = SigV4TestSuite.Cases[name];

        var canonical = CanonicalRequest(suite);

        Assert.Equal(suite.CanonicalRequest, canonical);
    }

    [Theory]
    [MemberData(nameof(SigV4TestSuite.Names), MemberType = typeof(SigV4TestSuite))]
    public void The_string_to_sign_matches_the_test_suite(string name)
    {
        var suite = SigV4TestSuite.Cases[name];

        var stringToSign = SigV4Canonical.StringToSign(SigV4TestSuite.AmzDate, "20150830/us-east-1/service/aws4_request", suite.CanonicalRequest);

        Assert.Equal(suite.StringToSign, stringToSign);
    }

    [Theory]
    [MemberData(nameof(SigV4TestSuite.Names), MemberType = typeof(SigV4TestSuite))]
    public void The_signature_matches_the_test_suite(string name)
    {
        var suite = SigV4TestSuite.Cases[name];
        var key = SigV4Canonical.SigningKey(Secret, "20150830", "us-east-1", "service");

        var signature = SigV4Canonical.Signature(key, suite.StringToSign);

        Assert.Equal(suite.Signature, signature);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("abc-._~XYZ09", "abc-._~XYZ09")]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("*", "%2A")]
    [InlineData("=&", "%3D%26")]
    [InlineData("\u1234", "%E1%88%B4")]
    public void UriEncode_keeps_unreserved_characters_and_encodes_the_rest_upper_case(string value, string expected)
    {
        var encoded = SigV4Canonical.UriEncode(value, keepSlash: false);

        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void UriEncode_of_a_path_keeps_slashes()
    {
        var encoded = SigV4Canonical.UriEncode("/a b/c", keepSlash: true);

        Assert.Equal("/a%20b/c", encoded);
    }

    private static string CanonicalRequest(SuiteCase suite)
    {
        var request = suite.ToRequest();
        var query = request.QueryString.HasValue ? SigV4Canonical.CanonicalQuery(request.Query) : "";
        return SigV4Canonical.CanonicalRequest(
            suite.Method,
            SigV4Canonical.UriEncode(suite.Path, keepSlash: true),
            query,
            suite.SignedHeaders.Split(';'),
            name => request.Headers[name],
            SigV4Canonical.HexSha256(Encoding.UTF8.GetBytes(suite.Body)));
    }
}
