using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Identity;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.SigV4;

/// <summary>The outcome of authenticating a request: the principal and the region of its credential scope, or an error.</summary>
internal readonly record struct Authentication(Principal? Principal, string? Region, string? AccessKeyId, KmsError? Error);

/// <summary>
/// Verifies Signature Version 4 on every request. The clock here is the wall clock even on a
/// development server whose key clock was advanced, since clients sign with real time.
/// </summary>
internal sealed class SigV4Verifier(AccessKeyCache credentials, TimeProvider wallClock, SigV4Options options, SessionTokens? sessions = null)
{
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const string SecurityToken = "X-Amz-Security-Token";
    private const string UnrecognizedToken = "The security token included in the request is invalid.";
    private const string ExpiredToken = "The security token included in the request is expired";

    private static readonly SearchValues<char> RegionChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    private readonly SignedHeaderLists _signedHeaderLists = new();

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

        if (CheckScope(header, amzDate, service) is { } scopeError)
        {
            return Fail(KmsErrorCode.InvalidSignature, scopeError);
        }

        var signedHeaders = _signedHeaderLists.Get(header.SignedHeaders, out var knownList);
        if (Array.IndexOf(signedHeaders, "host") < 0)
        {
            return Fail(KmsErrorCode.InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (FindUnsignedHeader(request.Headers, signedHeaders, contentTypeSigned: service != Xks.XksNames.SigningService) is { } unsigned)
        {
            return Fail(KmsErrorCode.InvalidSignature, $"'{unsigned}' must be a 'SignedHeader' in the AWS Authorization.");
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

        Credential? credential;
        if (HasSecurityToken(request))
        {
            // Temporary credentials: the token is the session (SessionTokens). A token that is not one of ours, was
            // changed, or goes with another access key id (a long-term key included) is answered as an unknown access
            // key is, as AWS does; the token is never echoed.
            var token = request.Headers[SecurityToken].ToString();
            var (refusal, session) = sessions is null || token.Length == 0
                ? (SessionRefusal.Invalid, null)
                : await sessions.OpenAsync(header.AccessKeyId.ToString(), token, ct);
            if (refusal == SessionRefusal.Expired)
            {
                return Fail(KmsErrorCode.ExpiredToken, ExpiredToken);
            }

            if (session is null)
            {
                return Fail(KmsErrorCode.UnrecognizedClient, UnrecognizedToken);
            }

            credential = session;
        }
        else
        {
            credential = credentials.TryGetCached(header.AccessKeyId, out var cached)
                ? cached
                : await credentials.FindAsync(header.AccessKeyId.ToString(), ct);
            if (credential is null)
            {
                return Fail(KmsErrorCode.UnrecognizedClient, UnrecognizedToken);
            }
        }

        // A logical XKS key store's credential signs XKS proxy requests only, and only such a credential does: the
        // secret AWS KMS holds for an external key store opens no other door, and no KMS caller's key opens that one.
        if (Xks.XksNames.IsStore(credential.Principal) != (service == Xks.XksNames.SigningService))
        {
            return Fail(KmsErrorCode.UnrecognizedClient, UnrecognizedToken);
        }

        var scope = credential.Scope(header.CredentialScope, header.Date, header.Region, header.Service);
        var accessKeyId = credential.Record.AccessKeyId;
        if (CheckSignature(request, body.Span, header, signedHeaders, amzDate, scope.SigningKey) is { } mismatch)
        {
            return new Authentication(credential.Principal, scope.Region, accessKeyId, mismatch);
        }

        if (!knownList)
        {
            // Only lists that signed a request are cached, so unauthenticated callers cannot fill the cache.
            _signedHeaderLists.Add(signedHeaders);
        }

        return new Authentication(credential.Principal, scope.Region, accessKeyId, null);
    }

    /// <summary>
    /// The first header sent that selects or shapes the operation but is not in SignedHeaders: Content-Type
    /// and every x-amz-* and x-citadel-* header (X-Amz-Target, X-Amz-Date, X-Amz-Security-Token,
    /// X-Citadel-On-Behalf-Of…). Unsigned, they could be changed in a captured request, turning a signed
    /// DescribeKey into a DisableKey. The SigV4 docs ask for "the host header and any x-amz-* headers"
    /// to be signed (IAM User Guide, "Create a signed AWS API request"); the AWS SDKs and CLI sign them all.
    /// Names compare as HTTP names do, ignoring case; a name padded with spaces in SignedHeaders signs nothing.
    /// XKS proxy requests are the exception for Content-Type: AWS KMS signs host;x-amz-date only (the XKS proxy API
    /// specification, Appendix A), and there the path, which is signed, names the operation.
    /// </summary>
    private static string? FindUnsignedHeader(IHeaderDictionary headers, string[] signedHeaders, bool contentTypeSigned)
    {
        foreach (var (name, _) in headers)
        {
            if (MustBeSigned(name, contentTypeSigned) && !IsSigned(signedHeaders, name))
            {
                return name;
            }
        }

        return null;
    }

    private static bool MustBeSigned(string name, bool contentTypeSigned) =>
        name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-citadel-", StringComparison.OrdinalIgnoreCase)
        || (contentTypeSigned && name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase));

    private static bool IsSigned(string[] signedHeaders, string name)
    {
        foreach (var signed in signedHeaders)
        {
            if (signed.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A session token in the header, or in the query string as presigned requests carry it.</summary>
    private static bool HasSecurityToken(HttpRequest request) =>
        request.Headers.ContainsKey(SecurityToken) || (request.QueryString.HasValue && request.Query.ContainsKey(SecurityToken));

    /// <summary>The service, terminator and date of the credential scope; null when they fit the request.</summary>
    private static string? CheckScope(in AuthorizationHeader header, string amzDate, string service)
    {
        if (!header.Service.SequenceEqual(service))
        {
            return $"Credential should be scoped to correct service: '{service}'. ";
        }

        if (header.Terminator is not "aws4_request")
        {
            return $"Credential should be scoped with a valid terminator: 'aws4_request', not '{header.Terminator}'. ";
        }

        if (!amzDate.AsSpan().StartsWith(header.Date, StringComparison.Ordinal) || header.Date.Length != 8)
        {
            return $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{header.Date}' != '{amzDate[..Math.Min(8, amzDate.Length)]}', from '{amzDate}'.";
        }

        return null;
    }

    /// <summary>
    /// Computes the signature from the canonical request and string to sign, built as UTF-8 in pooled
    /// buffers; they become strings only for the mismatch message, which shows them as AWS does.
    /// </summary>
    private static KmsError? CheckSignature(HttpRequest request, ReadOnlySpan<byte> body, in AuthorizationHeader header, string[] signedHeaders, string amzDate, byte[] signingKey)
    {
        Span<byte> payloadHash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, payloadHash);
        Span<char> payloadHashHex = stackalloc char[SHA256.HashSizeInBytes * 2];
        Convert.TryToHexStringLower(payloadHash, payloadHashHex, out _);

        var canonicalRequest = new Utf8Builder(1024);
        var stringToSign = new Utf8Builder(256);
        try
        {
            SigV4Canonical.WriteCanonicalRequest(
                ref canonicalRequest,
                request.Method,
                CanonicalUri(request.Path.Value),
                request.QueryString.HasValue ? SigV4Canonical.CanonicalQuery(request.Query) : "",
                signedHeaders,
                request.Headers,
                static (headers, name) => headers[name],
                payloadHashHex);
            SigV4Canonical.WriteStringToSign(ref stringToSign, amzDate, header.CredentialScope, canonicalRequest.Written);
            Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(signingKey, stringToSign.Written, expected);
            if (SignatureMatches(header.Signature, expected))
            {
                return null;
            }

            return new KmsError(
                KmsErrorCode.InvalidSignature,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                + $"The Canonical String for this request should have been\n'{canonicalRequest.ToString()}'\n\nThe String-to-Sign should have been\n'{stringToSign.ToString()}'\n");
        }
        finally
        {
            canonicalRequest.Dispose();
            stringToSign.Dispose();
        }
    }

    private static bool SignatureMatches(ReadOnlySpan<char> providedHex, ReadOnlySpan<byte> expected)
    {
        if (providedHex.Length != 64)
        {
            return false;
        }

        Span<byte> provided = stackalloc byte[32];
        if (Convert.FromHexString(providedHex, provided, out _, out var written) != OperationStatus.Done || written != 32)
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

    private static bool IsRegion(ReadOnlySpan<char> region) =>
        region.Length is > 0 and <= 32 && !region.ContainsAnyExcept(RegionChars);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    private static Authentication Fail(KmsErrorCode code, string message) => new(null, null, null, new KmsError(code, message));
}
