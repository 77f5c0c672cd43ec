using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Errors;
using Citadel.Core.Identity;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.SigV4;

/// <summary>The outcome of authenticating a request: the principal and the region of its credential scope, or an error.</summary>
internal readonly record struct Authentication(Principal? Principal, string? Region, string? AccessKeyId, KmsError? Error, string[]? SignedHeaders = null);

/// <summary>
/// Verifies Signature Version 4 on every request. The clock here is the wall clock even on a
/// development server whose key clock was advanced, since clients sign with real time.
/// </summary>
internal sealed class SigV4Verifier(AccessKeyCache credentials, TimeProvider wallClock, SigV4Options options)
{
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    public async ValueTask<Authentication> VerifyAsync(HttpRequest request, ReadOnlyMemory<byte> body, string service, CancellationToken ct)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return Fail(KmsErrorCode.MissingAuthenticationToken, "Missing Authentication Token");
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        var hasDate = amzDate.Length > 0 || request.Headers.Date.Count > 0;
        if (!AuthorizationHeader.TryParse(authorization, hasDate, out var header, out var error))
        {
            return Fail(KmsErrorCode.IncompleteSignature, error);
        }

        if (amzDate.Length == 0)
        {
            amzDate = request.Headers.Date.ToString();
        }

        if (!DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return Fail(KmsErrorCode.IncompleteSignature, $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        if (header.Service != service)
        {
            return Fail(KmsErrorCode.InvalidSignature, $"Credential should be scoped to correct service: '{service}'. ");
        }

        if (header.Terminator != "aws4_request")
        {
            return Fail(KmsErrorCode.InvalidSignature, $"Credential should be scoped with a valid terminator: 'aws4_request', not '{header.Terminator}'. ");
        }

        if (!amzDate.StartsWith(header.Date, StringComparison.Ordinal) || header.Date.Length != 8)
        {
            return Fail(KmsErrorCode.InvalidSignature, $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{header.Date}' != '{amzDate[..Math.Min(8, amzDate.Length)]}', from '{amzDate}'.");
        }

        if (Array.IndexOf(header.SignedHeaders, "host") < 0)
        {
            return Fail(KmsErrorCode.InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (!IsRegion(header.Region))
        {
            return Fail(KmsErrorCode.InvalidSignature, $"Credential should be scoped to a valid region, not '{header.Region}'. ");
        }

        var now = wallClock.GetUtcNow();
        if (signedAt < now - options.ClockSkew)
        {
            return Fail(KmsErrorCode.InvalidSignature, $"Signature expired: {amzDate} is now earlier than {Format(now - options.ClockSkew)} ({Format(now)} - {options.ClockSkew.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min.)");
        }

        if (signedAt > now + options.ClockSkew)
        {
            return Fail(KmsErrorCode.InvalidSignature, $"Signature not yet current: {amzDate} is still later than {Format(now + options.ClockSkew)} ({Format(now)} + {options.ClockSkew.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min.)");
        }

        var credential = await credentials.FindAsync(header.AccessKeyId, ct);
        if (credential is null)
        {
            return Fail(KmsErrorCode.UnrecognizedClient, "The security token included in the request is invalid.");
        }

        var headers = request.Headers;
        var canonicalRequest = SigV4Canonical.CanonicalRequest(
            request.Method,
            CanonicalUri(request.Path.Value),
            request.QueryString.HasValue ? SigV4Canonical.CanonicalQuery(request.Query) : "",
            header.SignedHeaders,
            name => headers[name],
            SigV4Canonical.HexSha256(body.Span));
        var stringToSign = SigV4Canonical.StringToSign(amzDate, header.CredentialScope, canonicalRequest);
        var expected = HMACSHA256.HashData(credential.SigningKey(header.Date, header.Region, header.Service), Encoding.UTF8.GetBytes(stringToSign));
        if (!SignatureMatches(header.Signature, expected))
        {
            return new Authentication(credential.Principal, header.Region, header.AccessKeyId, new KmsError(
                KmsErrorCode.InvalidSignature,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                + $"The Canonical String for this request should have been\n'{canonicalRequest}'\n\nThe String-to-Sign should have been\n'{stringToSign}'\n"));
        }

        return new Authentication(credential.Principal, header.Region, header.AccessKeyId, null, header.SignedHeaders);
    }

    private static bool SignatureMatches(string providedHex, byte[] expected)
    {
        if (providedHex.Length != 64)
        {
            return false;
        }

        Span<byte> provided = stackalloc byte[32];
        if (Convert.FromHexString(providedHex, provided, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(provided, expected);
    }

    private static string CanonicalUri(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "/")
        {
            return "/";
        }

        return SigV4Canonical.UriEncode(path, keepSlash: true);
    }

    private static bool IsRegion(string region) =>
        region.Length is > 0 and <= 32 && region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    private static Authentication Fail(KmsErrorCode code, string message) => new(null, null, null, new KmsError(code, message));
}
