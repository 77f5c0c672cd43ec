using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.SigV4;
using Citadel.Server.Tests.Fakes;
using Citadel.Server.Tests.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Header = Citadel.Server.SigV4.AuthorizationHeader;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    private static readonly byte[][] SigV4Tokens = Utf8(
        "AWS4-HMAC-SHA256 ", "Credential=", "SignedHeaders=", "Signature=", "/", ";", ", ", ",", "=", " ", "\t", "aws4_request",
        "host", "x-amz-date", "X-Amz-Date: ", "20150830T123600Z", "%", "%2F", "%zz", "?", "&", "+", "/..", "/./", "//", "\u00e9", "\r");

    /// <summary>The Authorization header's parser and the credential scope's elements.</summary>
    private static FuzzTarget AuthorizationHeader() => new(
        "sigv4-authorization",
        () => [.. SigV4TestSuite.Cases.Values.Select(c => Utf8(c.Authorization)), Utf8("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00")],
        input =>
        {
            var text = Text(input);
            foreach (var hasDate in (bool[])[true, false])
            {
                if (Header.TryParse(text, hasDate, out var header, out var error))
                {
                    _ = header.AccessKeyId.Length + header.CredentialScope.Length + header.Date.Length + header.Region.Length
                        + header.Service.Length + header.Terminator.Length + header.SignedHeaders.Length + header.Signature.Length;
                }
                else if (error is null)
                {
                    throw new InvalidOperationException("TryParse failed without an error message.");
                }
            }
        },
        ShortRunExecutions: 30_000,
        Tokens: SigV4Tokens);

    /// <summary>
    /// A whole request through the verifier (method, path, query, headers, body: canonical URI, query
    /// and headers, scope and date checks), against the test suite's key and clock. Input: method,
    /// path and query on the first three lines, "Name: value" headers, a blank line, the body.
    /// </summary>
    private static FuzzTarget SigV4Request()
    {
        var seal = new AesGcmSeal(RandomNumberGenerator.GetBytes(32));
        var store = new AccessKeyOnlyStore();
        store.Add(new AccessKeyRecord(
            SigV4TestSuite.AccessKeyId,
            "111122223333",
            "arn:aws:iam::111122223333:user/fuzz",
            PrincipalType.IamUser,
            "AIDAFUZZ",
            SecretSeal.Seal(seal, SigV4TestSuite.AccessKeyId, SigV4TestSuite.Secret),
            SigV4TestSuite.SignedAt));
        var verifier = new SigV4Verifier(new AccessKeyCache(store, seal), new FakeTimeProvider(SigV4TestSuite.SignedAt), new SigV4Options());
        return new(
            "sigv4-request",
            () => [.. SigV4TestSuite.Cases.Values.Select(c => Utf8(
                $"{c.Method}\n{c.Path}\n{c.Query}\n{string.Concat(c.Headers.Select(h => $"{h.Name}: {h.Value}\n"))}Authorization: {c.Authorization}\n\n{c.Body}"))],
            input =>
            {
                var (request, body) = ToRequest(Text(input));
                var verified = verifier.VerifyAsync(request, body, "service", CancellationToken.None).AsTask().GetAwaiter().GetResult();
                if (verified.Error is null && verified.Principal is null)
                {
                    throw new InvalidOperationException("Verification succeeded without a principal.");
                }
            },
            ShortRunExecutions: 10_000,
            Tokens: SigV4Tokens);
    }

    private static (HttpRequest Request, byte[] Body) ToRequest(string text)
    {
        var lines = text.Split('\n');
        var request = new DefaultHttpContext().Request;
        request.Method = lines[0];
        var path = lines.Length > 1 ? lines[1] : "/";
        request.Path = new PathString(path.StartsWith('/') ? path : "/" + path);
        if (lines.Length > 2 && lines[2].Length > 0)
        {
            request.QueryString = new QueryString("?" + lines[2]);
        }

        var at = 3;
        for (; at < lines.Length && lines[at].Length > 0; at++)
        {
            var colon = lines[at].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                request.Headers.Append(lines[at][..colon], lines[at][(colon + 1)..].TrimStart(' '));
            }
        }

        return (request, Encoding.UTF8.GetBytes(string.Join('\n', lines.Skip(at + 1))));
    }
}
