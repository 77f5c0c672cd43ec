using System.Buffers;
using Citadel.Core.Identity;

namespace Citadel.Server.Xks;

/// <summary>
/// The names and rules of Citadel as an XKS proxy (the AWS KMS External Key Store Proxy API specification, version 1,
/// and the KMS model's XksProxy… shapes): the SigV4 service, the path, and what a credential, a URI prefix and an
/// external key id may be.
/// </summary>
internal static class XksNames
{
    /// <summary>The SigV4 service AWS KMS signs XKS proxy requests with (specification, Appendix A).</summary>
    public const string SigningService = "kms-xks-proxy";

    /// <summary>The path after a store's URI prefix; the KMS model's XksProxyUriPath ends in it.</summary>
    public const string ApiPath = "/kms/xks/v1";

    /// <summary>
    /// The IAM path of the users that are logical key stores. A credential of such a user signs XKS proxy requests
    /// only, and no other credential does (<see cref="SigV4.SigV4Verifier"/>).
    /// </summary>
    public const string StorePath = "/citadel-xks/";

    /// <summary>The user tag holding the store's URI prefix.</summary>
    public const string UriPrefixTag = "citadel:xks:uri-prefix";

    /// <summary>The prefix of the user tags that allow a key: citadel:xks:key:&lt;external key id&gt; = &lt;key id&gt;/&lt;usage&gt;.</summary>
    public const string KeyTagPrefix = "citadel:xks:key:";

    /// <summary>The most keys one store may allow (user tags, the URI prefix one of them).</summary>
    public const int MaxTags = 1000;

    /// <summary>External key ids: 1–112 of a-z A-Z 0-9 - . _ (the specification allows 128; a user tag key holds 128 with the prefix).</summary>
    public const int MaxExternalKeyIdLength = 128 - 16;

    /// <summary>The longest URI prefix: XksProxyUriPath is at most 128 characters, /kms/xks/v1 included.</summary>
    public const int MaxUriPrefixLength = 128 - 11;

    private static readonly SearchValues<char> AccessKeyIdChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    private static readonly SearchValues<char> SecretChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=");
    private static readonly SearchValues<char> ExternalKeyIdChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._");
    private static readonly SearchValues<char> UriPrefixChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-_");

    /// <summary>Whether the principal is a logical key store (an IAM user on <see cref="StorePath"/>).</summary>
    public static bool IsStore(Principal principal) =>
        principal.Type == PrincipalType.IamUser && principal.Arn.Contains(":user" + StorePath, StringComparison.Ordinal);

    /// <summary>XksProxyAuthenticationAccessKeyId: 20–30 of A-Z and 2-7.</summary>
    public static bool IsValidAccessKeyId(string? id) => id is { Length: >= 20 and <= 30 } && !id.AsSpan().ContainsAnyExcept(AccessKeyIdChars);

    /// <summary>XksProxyAuthenticationRawSecretAccessKey: 43–64 of a-z A-Z 0-9 / + =.</summary>
    public static bool IsValidSecret(string? secret) => secret is { Length: >= 43 and <= 64 } && !secret.AsSpan().ContainsAnyExcept(SecretChars);

    public static bool IsValidExternalKeyId(ReadOnlySpan<char> id) => id.Length is > 0 and <= MaxExternalKeyIdLength && !id.ContainsAnyExcept(ExternalKeyIdChars);

    /// <summary>
    /// A URI prefix: empty, or / followed by a-z A-Z 0-9 / - _ with no empty segment and no trailing slash, so that
    /// prefix + /kms/xks/v1 matches the KMS model's XksProxyUriPath pattern.
    /// </summary>
    public static bool IsValidUriPrefix(string? prefix) =>
        prefix is not null
        && (prefix.Length == 0
            || (prefix.Length <= MaxUriPrefixLength && prefix[0] == '/' && prefix[^1] != '/' && !prefix.Contains("//", StringComparison.Ordinal)
                && !prefix.AsSpan().ContainsAnyExcept(UriPrefixChars)));

    /// <summary>The one-line rule for a URI prefix, for errors.</summary>
    public const string UriPrefixRule = "a URI prefix is empty or starts with / and holds only a-z A-Z 0-9 / - _ (no // and no trailing /), at most 117 characters";

    public const string AccessKeyIdRule = "an XKS access key id is 20-30 characters of A-Z and 2-7";

    public const string SecretRule = "an XKS secret access key is 43-64 characters of a-z A-Z 0-9 / + =";

    public const string ExternalKeyIdRule = "an external key id is 1-112 characters of a-z A-Z 0-9 - . _";
}
