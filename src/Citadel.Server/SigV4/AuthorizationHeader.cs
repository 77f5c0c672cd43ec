using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Citadel.Server.SigV4;

/// <summary>
/// The parts of a SigV4 Authorization header:
/// <c>AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=…</c>.
/// </summary>
internal sealed record AuthorizationHeader(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    string Terminator,
    string CredentialScope,
    string[] SignedHeaders,
    string SignedHeadersText,
    string Signature)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Parses the header; on failure <paramref name="error"/> is AWS's IncompleteSignatureException message.</summary>
    public static bool TryParse(string header, bool hasDate, [NotNullWhen(true)] out AuthorizationHeader? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        string? credential = null, signedHeaders = null, signature = null;
        var rest = header.StartsWith(Algorithm + " ", StringComparison.Ordinal) ? header[(Algorithm.Length + 1)..] : null;
        if (rest is not null)
        {
            // AWS splits on whitespace too: "Credential=AKID /2015…" reports '/2015…' as not a key=value pair (docs/aws-error-reference.md, 2c).
            foreach (var rawPart in rest.Split([',', ' ', '\t']))
            {
                var part = rawPart.Trim();
                if (part.Length == 0)
                {
                    continue;
                }

                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    error = $"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'.";
                    return false;
                }

                var value = part[(eq + 1)..];
                switch (part[..eq])
                {
                    case "Credential":
                        credential = value;
                        break;
                    case "SignedHeaders":
                        signedHeaders = value;
                        break;
                    case "Signature":
                        signature = value;
                        break;
                }
            }
        }

        var missing = new StringBuilder();
        if (credential is null)
        {
            missing.Append("Authorization header requires 'Credential' parameter. ");
        }

        if (signature is null)
        {
            missing.Append("Authorization header requires 'Signature' parameter. ");
        }

        if (signedHeaders is null)
        {
            missing.Append("Authorization header requires 'SignedHeaders' parameter. ");
        }

        if (!hasDate)
        {
            missing.Append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        }

        if (missing.Length > 0)
        {
            error = $"{missing}Authorization={header}";
            return false;
        }

        var scope = credential!.Split('/');
        if (scope.Length != 5)
        {
            error = $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'";
            return false;
        }

        parsed = new AuthorizationHeader(
            scope[0],
            scope[1],
            scope[2],
            scope[3],
            scope[4],
            string.Join('/', scope, 1, 4),
            signedHeaders!.Split(';'),
            signedHeaders,
            signature!);
        error = null;
        return true;
    }
}
