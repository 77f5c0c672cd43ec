using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Citadel.Server.SigV4;

/// <summary>
/// The parts of a SigV4 Authorization header:
/// <c>AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=…</c>.
/// The parts are ranges of the header text, so parsing allocates nothing unless it fails.
/// </summary>
internal readonly struct AuthorizationHeader
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    private static readonly SearchValues<char> PartSeparators = SearchValues.Create(", \t");

    private readonly string _text;
    private readonly Range _accessKeyId;
    private readonly Range _credentialScope;
    private readonly Range _signedHeaders;
    private readonly Range _signature;

    private AuthorizationHeader(string text, Range accessKeyId, Range credentialScope, Range signedHeaders, Range signature)
    {
        _text = text;
        _accessKeyId = accessKeyId;
        _credentialScope = credentialScope;
        _signedHeaders = signedHeaders;
        _signature = signature;
    }

    public ReadOnlySpan<char> AccessKeyId => _text.AsSpan(_accessKeyId);

    /// <summary>date/region/service/terminator.</summary>
    public ReadOnlySpan<char> CredentialScope => _text.AsSpan(_credentialScope);

    public ReadOnlySpan<char> Date => ScopeElement(0);

    public ReadOnlySpan<char> Region => ScopeElement(1);

    public ReadOnlySpan<char> Service => ScopeElement(2);

    public ReadOnlySpan<char> Terminator => ScopeElement(3);

    /// <summary>The header names, separated by ';'.</summary>
    public ReadOnlySpan<char> SignedHeaders => _text.AsSpan(_signedHeaders);

    public ReadOnlySpan<char> Signature => _text.AsSpan(_signature);

    /// <summary>Parses the header; on failure <paramref name="error"/> is AWS's IncompleteSignatureException message.</summary>
    public static bool TryParse(string header, bool hasDate, out AuthorizationHeader parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = default;
        Range? credential = null, signedHeaders = null, signature = null;
        if (header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            // AWS splits on whitespace too: "Credential=AKID /2015…" reports '/2015…' as not a key=value pair (docs/aws-error-reference.md, 2c).
            var start = Algorithm.Length + 1;
            while (start <= header.Length)
            {
                var length = header.AsSpan(start).IndexOfAny(PartSeparators);
                length = length < 0 ? header.Length - start : length;
                var part = Trimmed(header, start, length);
                start += length + 1;
                var text = header.AsSpan(part);
                if (text.Length == 0)
                {
                    continue;
                }

                var eq = text.IndexOf('=');
                if (eq <= 0)
                {
                    error = $"'{text}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'.";
                    return false;
                }

                var value = (part.Start.Value + eq + 1)..part.End.Value;
                switch (text[..eq])
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

        if (credential is null || signature is null || signedHeaders is null || !hasDate)
        {
            error = MissingParameters(header, credential is null, signature is null, signedHeaders is null, !hasDate);
            return false;
        }

        var credentialText = header.AsSpan(credential.Value);
        if (credentialText.Count('/') != 4)
        {
            error = $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credentialText}'";
            return false;
        }

        var slash = credential.Value.Start.Value + credentialText.IndexOf('/');
        parsed = new AuthorizationHeader(
            header,
            credential.Value.Start..slash,
            (slash + 1)..credential.Value.End,
            signedHeaders.Value,
            signature.Value);
        error = null;
        return true;
    }

    /// <summary>The range of header[start..start+length] without leading and trailing white space, as string.Trim removes it.</summary>
    private static Range Trimmed(string header, int start, int length)
    {
        var span = header.AsSpan(start, length);
        var trimmed = span.Trim();
        var leading = trimmed.Length == 0 ? 0 : span.Length - span.TrimStart().Length;
        return (start + leading)..(start + leading + trimmed.Length);
    }

    private static string MissingParameters(string header, bool credential, bool signature, bool signedHeaders, bool date)
    {
        var missing = new StringBuilder();
        if (credential)
        {
            missing.Append("Authorization header requires 'Credential' parameter. ");
        }

        if (signature)
        {
            missing.Append("Authorization header requires 'Signature' parameter. ");
        }

        if (signedHeaders)
        {
            missing.Append("Authorization header requires 'SignedHeaders' parameter. ");
        }

        if (date)
        {
            missing.Append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        }

        return $"{missing}Authorization={header}";
    }

    private ReadOnlySpan<char> ScopeElement(int index)
    {
        var rest = CredentialScope;
        for (var i = 0; i < index; i++)
        {
            rest = rest[(rest.IndexOf('/') + 1)..];
        }

        var slash = rest.IndexOf('/');
        return slash < 0 ? rest : rest[..slash];
    }
}
