using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Identity;
using Citadel.Server.SigV4;
using Citadel.Server.Tests.Fakes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.SigV4;

public sealed class SigV4VerifierTests : IDisposable
{
    private const string PrincipalArn = "arn:aws:iam::111122223333:user/example";

    private readonly AesGcmSeal _seal = new(RandomNumberGenerator.GetBytes(32));
    private readonly AccessKeyOnlyStore _store = new();
    private readonly FakeTimeProvider _clock = new(SigV4TestSuite.SignedAt);
    private readonly SigV4Verifier _verifier;

    public SigV4VerifierTests()
    {
        _store.Add(new AccessKeyRecord(
            SigV4TestSuite.AccessKeyId,
            "111122223333",
            PrincipalArn,
            PrincipalType.IamUser,
            "AIDAEXAMPLE",
            SecretSeal.Seal(_seal, SigV4TestSuite.AccessKeyId, SigV4TestSuite.Secret),
            SigV4TestSuite.SignedAt));
        _verifier = new SigV4Verifier(new AccessKeyCache(_store, _seal), _clock, new SigV4Options());
    }

    public void Dispose() => _seal.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private static SuiteCase GetVanilla => SigV4TestSuite.Cases["get-vanilla"];

    private ValueTask<Authentication> VerifyAsync(SuiteCase suite, string? authorization = null, string service = "service") =>
        _verifier.VerifyAsync(suite.ToRequest(authorization), Encoding.UTF8.GetBytes(suite.Body), service, Ct);

    [Theory]
    [MemberData(nameof(SigV4TestSuite.Names), MemberType = typeof(SigV4TestSuite))]
    public async Task A_request_of_the_test_suite_is_accepted_with_its_published_signature(string name)
    {
        var suite = SigV4TestSuite.Cases[name];

        var authentication = await VerifyAsync(suite);

        Assert.Null(authentication.Error);
        Assert.Equal(new Principal("111122223333", PrincipalArn, PrincipalType.IamUser, "AIDAEXAMPLE"), authentication.Principal);
        Assert.Equal("us-east-1", authentication.Region);
        Assert.Equal(SigV4TestSuite.AccessKeyId, authentication.AccessKeyId);
    }

    [Fact]
    public async Task A_wrong_signature_fails_with_InvalidSignature_showing_the_canonical_request_and_string_to_sign()
    {
        var authorization = GetVanilla.Authorization[..^1] + "0";

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(
            new KmsError(
                KmsErrorCode.InvalidSignature,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                + $"The Canonical String for this request should have been\n'{GetVanilla.CanonicalRequest}'\n\n"
                + $"The String-to-Sign should have been\n'{GetVanilla.StringToSign}'\n"),
            authentication.Error);
    }

    [Theory]
    [InlineData("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf3")]
    [InlineData("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf311")]
    [InlineData("zfa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("")]
    public async Task A_signature_of_the_wrong_length_or_not_hex_fails_with_InvalidSignature(string signature)
    {
        var authorization = GetVanilla.Authorization.Replace(GetVanilla.Signature, signature, StringComparison.Ordinal);

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(KmsErrorCode.InvalidSignature, authentication.Error?.Code);
    }

    [Fact]
    public async Task An_upper_case_signature_is_accepted()
    {
        var authorization = GetVanilla.Authorization.Replace(GetVanilla.Signature, GetVanilla.Signature.ToUpperInvariant(), StringComparison.Ordinal);

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Null(authentication.Error);
    }

    [Fact]
    public async Task A_changed_body_fails_with_InvalidSignature()
    {
        var suite = SigV4TestSuite.Cases["post-x-www-form-urlencoded"];

        var authentication = await _verifier.VerifyAsync(suite.ToRequest(), "Param1=value2"u8.ToArray(), "service", Ct);

        Assert.Equal(KmsErrorCode.InvalidSignature, authentication.Error?.Code);
    }

    [Fact]
    public async Task An_unknown_access_key_fails_with_UnrecognizedClient()
    {
        var authorization = GetVanilla.Authorization.Replace("AKIDEXAMPLE", "AKIDUNKNOWN", StringComparison.Ordinal);

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(new KmsError(KmsErrorCode.UnrecognizedClient, "The security token included in the request is invalid."), authentication.Error);
        Assert.Null(authentication.Principal);
    }

    [Fact]
    public async Task A_request_without_an_Authorization_header_fails_with_MissingAuthenticationToken()
    {
        var authentication = await VerifyAsync(GetVanilla, authorization: "");

        Assert.Equal(new KmsError(KmsErrorCode.MissingAuthenticationToken, "Missing Authentication Token"), authentication.Error);
        Assert.Null(authentication.Principal);
    }

    [Fact]
    public async Task An_access_key_is_looked_up_in_the_store_once()
    {
        await VerifyAsync(GetVanilla);

        await VerifyAsync(GetVanilla);

        Assert.Equal(1, _store.Lookups);
    }

    public static TheoryData<string, string> IncompleteSignatures => new()
    {
        {
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date",
            "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date"
        },
        {
            "AWS4-HMAC-SHA256 Signature=abc",
            "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=abc"
        },
        {
            "AWS xxxxx:yyyyyyy",
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS xxxxx:yyyyyyy"
        },
        {
            "AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
            "'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc'."
        },
        {
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
            "'/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc'."
        },
        {
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders, Signature=abc",
            "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders, Signature=abc'."
        },
        {
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, SignedHeaders=host;x-amz-date, Signature=abc",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/service'"
        },
    };

    [Theory]
    [MemberData(nameof(IncompleteSignatures))]
    public async Task A_malformed_Authorization_header_fails_with_IncompleteSignature_in_AWS_wording(string authorization, string message)
    {
        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(new KmsError(KmsErrorCode.IncompleteSignature, message), authentication.Error);
    }

    [Fact]
    public async Task A_request_without_a_date_fails_with_IncompleteSignature()
    {
        var request = GetVanilla.ToRequest();
        request.Headers.Remove("X-Amz-Date");

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(
            new KmsError(
                KmsErrorCode.IncompleteSignature,
                $"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={GetVanilla.Authorization}"),
            authentication.Error);
    }

    [Fact]
    public async Task A_date_not_in_ISO8601_basic_format_fails_with_IncompleteSignature()
    {
        var request = GetVanilla.ToRequest();
        request.Headers["X-Amz-Date"] = "2015-08-30T12:36:00Z";

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(
            new KmsError(KmsErrorCode.IncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"),
            authentication.Error);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(0)]
    [InlineData(300)]
    public async Task A_signature_up_to_5_minutes_from_the_clock_is_accepted(int skewSeconds)
    {
        var clock = new FakeTimeProvider(SigV4TestSuite.SignedAt.AddSeconds(skewSeconds));
        var verifier = new SigV4Verifier(new AccessKeyCache(_store, _seal), clock, new SigV4Options());

        var authentication = await verifier.VerifyAsync(GetVanilla.ToRequest(), ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Null(authentication.Error);
    }

    [Fact]
    public async Task A_signature_older_than_5_minutes_fails_with_Signature_expired()
    {
        _clock.Advance(TimeSpan.FromSeconds(301));

        var authentication = await VerifyAsync(GetVanilla);

        Assert.Equal(
            new KmsError(KmsErrorCode.InvalidSignature, "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)"),
            authentication.Error);
    }

    [Fact]
    public async Task A_signature_more_than_5_minutes_ahead_fails_with_Signature_not_yet_current()
    {
        var clock = new FakeTimeProvider(SigV4TestSuite.SignedAt.AddSeconds(-301));
        var verifier = new SigV4Verifier(new AccessKeyCache(_store, _seal), clock, new SigV4Options());

        var authentication = await verifier.VerifyAsync(GetVanilla.ToRequest(), ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(
            new KmsError(KmsErrorCode.InvalidSignature, "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T123059Z + 5 min.)"),
            authentication.Error);
    }

    [Fact]
    public async Task A_credential_scoped_to_another_service_fails_with_InvalidSignature()
    {
        var authentication = await VerifyAsync(GetVanilla, service: "kms");

        Assert.Equal(new KmsError(KmsErrorCode.InvalidSignature, "Credential should be scoped to correct service: 'kms'. "), authentication.Error);
    }

    [Fact]
    public async Task A_credential_with_another_terminator_fails_with_InvalidSignature()
    {
        var authorization = GetVanilla.Authorization.Replace("aws4_request", "aws5_request", StringComparison.Ordinal);

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "), authentication.Error);
    }

    [Fact]
    public async Task A_credential_date_other_than_the_request_date_fails_with_InvalidSignature()
    {
        var authorization = GetVanilla.Authorization.Replace("/20150830/", "/20150831/", StringComparison.Ordinal);

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(
            new KmsError(KmsErrorCode.InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."),
            authentication.Error);
    }

    [Fact]
    public async Task A_credential_with_an_invalid_region_fails_with_InvalidSignature()
    {
        var authorization = GetVanilla.Authorization.Replace("us-east-1", "US_EAST_1", StringComparison.Ordinal);

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidSignature, "Credential should be scoped to a valid region, not 'US_EAST_1'. "), authentication.Error);
    }

    [Fact]
    public async Task A_signature_that_does_not_sign_host_fails_with_InvalidSignature()
    {
        var authorization = GetVanilla.Authorization.Replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date", StringComparison.Ordinal);

        var authentication = await VerifyAsync(GetVanilla, authorization);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."), authentication.Error);
    }

    public static TheoryData<string, string> HeadersThatShapeTheOperation => new()
    {
        { "Content-Type", "application/x-amz-json-1.1" },
        { "X-Amz-Target", "TrentService.DisableKey" },
        { "x-AMZ-target", "TrentService.DisableKey" },
        { "X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "X-Citadel-On-Behalf-Of", "arn:aws:iam::111122223333:user/someone" },
    };

    [Theory]
    [MemberData(nameof(HeadersThatShapeTheOperation))]
    public async Task A_header_that_shapes_the_operation_left_out_of_SignedHeaders_fails_with_InvalidSignature(string name, string value)
    {
        var request = SignedRequest("host;x-amz-date", (name, value));

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidSignature, $"'{name}' must be a 'SignedHeader' in the AWS Authorization."), authentication.Error);
        Assert.Null(authentication.Principal);
    }

    [Fact]
    public async Task An_unsigned_X_Amz_Date_fails_with_InvalidSignature()
    {
        var request = SignedRequest("host");

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidSignature, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."), authentication.Error);
    }

    [Fact]
    public async Task A_name_padded_with_a_space_in_SignedHeaders_fails_with_IncompleteSignature()
    {
        var request = SignedRequest("host;x-amz-date; x-amz-target", ("X-Amz-Target", "TrentService.DisableKey"));

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(KmsErrorCode.IncompleteSignature, authentication.Error?.Code);
        Assert.StartsWith("'x-amz-target' not a valid key=value pair (missing equal-sign) in Authorization header: ", authentication.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_named_in_another_case_in_SignedHeaders_is_signed()
    {
        var request = SignedRequest("host;X-Amz-Target;x-amz-date", ("x-amz-target", "TrentService.DescribeKey"));

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Null(authentication.Error);
    }

    [Fact]
    public async Task Headers_that_do_not_shape_the_operation_may_stay_unsigned()
    {
        var request = SignedRequest(
            "content-type;host;x-amz-date;x-amz-target",
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "TrentService.DescribeKey"),
            ("User-Agent", "aws-sdk-dotnet/4.0"),
            ("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"),
            ("Accept", "*/*"),
            ("Content-Length", "0"));

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Null(authentication.Error);
    }

    [Fact]
    public async Task A_signed_security_token_fails_with_UnrecognizedClient()
    {
        var request = SignedRequest("host;x-amz-date;x-amz-security-token", ("X-Amz-Security-Token", "FwoGZXIvYXdzEBogus"));

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(new KmsError(KmsErrorCode.UnrecognizedClient, "The security token included in the request is invalid."), authentication.Error);
        Assert.Null(authentication.Principal);
    }

    [Fact]
    public async Task A_security_token_in_the_query_string_fails_with_UnrecognizedClient()
    {
        var request = SignedRequest("host;x-amz-date", query: "X-Amz-Security-Token=FwoGZXIvYXdzEBogus");

        var authentication = await _verifier.VerifyAsync(request, ReadOnlyMemory<byte>.Empty, "service", Ct);

        Assert.Equal(new KmsError(KmsErrorCode.UnrecognizedClient, "The security token included in the request is invalid."), authentication.Error);
    }

    /// <summary>A POST / of the test suite's host and date with extra headers, correctly signed over <paramref name="signedHeaders"/> as given.</summary>
    private static HttpRequest SignedRequest(string signedHeaders, params (string Name, string Value)[] headers) =>
        SignedRequest(signedHeaders, "", headers);

    private static HttpRequest SignedRequest(string signedHeaders, string query, params (string Name, string Value)[] headers)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.Path = "/";
        if (query.Length > 0)
        {
            request.QueryString = new QueryString("?" + query);
        }

        request.Headers.Host = "example.amazonaws.com";
        request.Headers["X-Amz-Date"] = SigV4TestSuite.AmzDate;
        foreach (var (name, value) in headers)
        {
            request.Headers.Append(name, value);
        }

        const string scope = "20150830/us-east-1/service/aws4_request";
        var canonical = SigV4Canonical.CanonicalRequest(
            "POST",
            "/",
            SigV4Canonical.CanonicalQuery(request.Query),
            signedHeaders.Split(';'),
            name => request.Headers[name],
            SigV4Canonical.HexSha256([]));
        var signingKey = SigV4Canonical.SigningKey(Encoding.UTF8.GetBytes(SigV4TestSuite.Secret), "20150830", "us-east-1", "service");
        var signature = SigV4Canonical.Signature(signingKey, SigV4Canonical.StringToSign(SigV4TestSuite.AmzDate, scope, canonical));
        request.Headers.Authorization = $"AWS4-HMAC-SHA256 Credential={SigV4TestSuite.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return request;
    }
}
