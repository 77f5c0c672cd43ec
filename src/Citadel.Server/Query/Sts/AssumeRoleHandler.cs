using System.Globalization;
using System.Text.RegularExpressions;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.Authorization;
using Citadel.Server.SigV4;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Server.Query.Sts;

/// <summary>
/// AssumeRole: temporary credentials for a role (STS API reference, "AssumeRole"). The endpoint has already checked
/// the parameters (<see cref="Validate"/>) and authorized sts:AssumeRole on the role against its trust policy and the
/// caller's identity policies (<see cref="TrustPolicyAsync"/>); this makes the session: within the role's maximum
/// session duration (one hour when a session assumes a role, "role chaining"), narrowed by the session policy,
/// carrying the session tags and the caller's transitive tags.
/// </summary>
internal static partial class AssumeRoleHandler
{
    /// <summary>AWS's default DurationSeconds: one hour.</summary>
    private const int DefaultDuration = 3600;

    /// <summary>The longest session a role session may make (role chaining): one hour.</summary>
    private const int ChainedMaxDuration = 3600;

    private const int MaxTags = 50;

    [GeneratedRegex(@"^[\w+=,.@-]*$")]
    internal static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]*$")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$")]
    private static partial Regex TagKeyPattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagValuePattern();

    public static QueryError? Validate(QueryContext ctx)
    {
        var form = ctx.Form;
        var invalid = QueryValidation.String(form, "RoleArn", 20, 2048, required: true)
            ?? QueryValidation.String(form, "RoleSessionName", 2, 64, SessionNamePattern(), required: true)
            ?? QueryValidation.Int(form, "DurationSeconds", 900, 43200, out _)
            ?? QueryValidation.String(form, "ExternalId", 2, 1224, ExternalIdPattern())
            ?? QueryValidation.String(form, "Policy", 1, 2048)
            ?? QueryValidation.String(form, "SourceIdentity", 2, 64, SessionNamePattern());
        if (invalid is not null)
        {
            return invalid;
        }

        if (form.Has("SerialNumber") || form.Has("TokenCode"))
        {
            return QueryErrors.Validation("Citadel has no MFA devices: SerialNumber and TokenCode are not supported. Require MFA with your identity provider instead.");
        }

        if (form.List("PolicyArns", prefix => form[prefix + ".arn"]).Count > 0)
        {
            return QueryErrors.Validation("Citadel has no managed policies, so PolicyArns is not supported: pass the session policy inline in Policy.");
        }

        if (SessionPolicyError(form) is { } malformed)
        {
            return malformed;
        }

        var tags = form.List("Tags", prefix => new Tag(form[prefix + ".Key"] ?? "", form[prefix + ".Value"] ?? ""));
        if (tags.Count > MaxTags)
        {
            return QueryErrors.Validation($"1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to {MaxTags}");
        }

        foreach (var tag in tags)
        {
            if (tag.Key.Length is 0 or > 128 || !TagKeyPattern().IsMatch(tag.Key) || tag.Value.Length > 256 || !TagValuePattern().IsMatch(tag.Value))
            {
                return QueryErrors.Validation($"The session tag '{tag.Key}' is not valid: a key is 1-128 and a value 0-256 letters, digits, spaces and _.:/=+-@.");
            }
        }

        if (tags.GroupBy(t => t.Key, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
        {
            return QueryErrors.Validation("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        }

        var transitive = form.List("TransitiveTagKeys", prefix => form[prefix] ?? "");
        if (transitive.FirstOrDefault(key => !tags.Any(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase))) is { } stray)
        {
            return QueryErrors.Validation($"The transitive tag key '{stray}' is not one of the session tags.");
        }

        var facts = ctx.Facts;
        facts.ExternalId = form["ExternalId"];
        facts.RoleSessionName = form["RoleSessionName"];
        facts.RequestTags = tags.Count > 0 ? tags : null;
        facts.TransitiveTagKeys = transitive.Count > 0 ? transitive : null;
        return null;
    }

    /// <summary>MalformedPolicyDocument when the session policy (Policy) is not a valid identity policy; null otherwise.</summary>
    internal static QueryError? SessionPolicyError(QueryForm form) =>
        form["Policy"] is { } document && Policy.Parse(document, PolicyKind.IdentityPolicy) is { IsSuccess: false } malformed
            ? new QueryError("MalformedPolicyDocument", $"The session policy is not valid: {malformed.Error!.Value.Message}")
            : null;

    public static string? Resource(QueryContext ctx) => ctx.Form["RoleArn"];

    /// <summary>The role's trust policy; null (nothing allows) when the role does not exist or trusts no one.</summary>
    public static async ValueTask<Policy?> TrustPolicyAsync(QueryContext ctx) =>
        await ctx.Kms.Store.GetRoleSettingsAsync(ctx.Form["RoleArn"]!, ctx.Aborted) is { TrustPolicy: { } trust } ? PolicyCache.Get(trust) : null;

    public static async ValueTask<QueryError?> HandleAsync(QueryContext ctx)
    {
        var form = ctx.Form;
        var caller = ctx.Principal!;
        var role = await ctx.Kms.Store.GetRoleSettingsAsync(form["RoleArn"]!, ctx.Aborted);
        if (role is null)
        {
            // Deleted since it was authorized.
            return QueryErrors.AccessDenied($"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {form["RoleArn"]}");
        }

        var chained = caller.Session is not null;
        if (Duration(form, role, chained, out var duration) is { } tooLong)
        {
            return tooLong;
        }

        // Tags the caller's session passes on (transitive) come first and cannot be set again (IAM User Guide,
        // "Chaining roles with session tags").
        var tags = new List<Tag>();
        var transitive = new List<string>();
        if (caller.Session is { } from)
        {
            foreach (var tag in from.Tags)
            {
                if (from.TransitiveTagKeys.Contains(tag.Key, StringComparer.OrdinalIgnoreCase))
                {
                    tags.Add(tag);
                    transitive.Add(tag.Key);
                }
            }
        }

        foreach (var tag in ctx.Facts.RequestTags ?? [])
        {
            if (transitive.Contains(tag.Key, StringComparer.OrdinalIgnoreCase))
            {
                return QueryErrors.Validation($"The session tag '{tag.Key}' was passed on by the calling session as a transitive tag and cannot be set again.");
            }

            tags.Add(tag);
        }

        transitive.AddRange(ctx.Facts.TransitiveTagKeys ?? []);
        var now = ctx.Kms.Time.GetUtcNow();
        var policyDocument = form["Policy"];
        var session = new SessionContext(role.RoleArn, role.RoleId, form["RoleSessionName"]!, now, now.AddSeconds(duration), chained)
        {
            PolicyDocument = policyDocument,
            Tags = tags,
            TransitiveTagKeys = transitive,
        };

        Issue(ctx, session);
        return null;
    }

    /// <summary>DurationSeconds (default one hour) within the role's maximum, and one hour for role chaining; ValidationError otherwise.</summary>
    internal static QueryError? Duration(QueryForm form, RoleSettings role, bool chained, out int duration)
    {
        duration = form.TryGetInt("DurationSeconds", out var requested, out _) && requested is { } seconds ? seconds : DefaultDuration;
        if (chained && duration > ChainedMaxDuration)
        {
            return QueryErrors.Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }

        return duration > role.MaxSessionDurationSeconds
            ? QueryErrors.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
            : null;
    }

    /// <summary>
    /// Issues the session's temporary credentials and writes Credentials and AssumedRoleUser to the result and the
    /// audit response (its key id and expiry; never the secret or the session token). <paramref name="more"/> adds
    /// result members of the operation (AssumeRoleWithWebIdentity's Provider, Audience …) to both.
    /// </summary>
    internal static void Issue(QueryContext ctx, SessionContext session, IReadOnlyList<(string Name, string Value)>? more = null)
    {
        var account = session.RoleArn.Split(':')[4];
        var credentials = ctx.Services.GetRequiredService<SessionTokens>().Issue(account, session);
        var sessionArn = SessionContext.SessionArn(account, session.RoleName, session.SessionName);
        var assumedRoleId = $"{session.RoleId}:{session.SessionName}";
        var expiration = credentials.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var xml = ctx.Result;
        xml.WriteStartElement("Credentials");
        xml.WriteElementString("AccessKeyId", credentials.AccessKeyId);
        xml.WriteElementString("SecretAccessKey", credentials.SecretAccessKey);
        xml.WriteElementString("SessionToken", credentials.SessionToken);
        xml.WriteElementString("Expiration", expiration);
        xml.WriteEndElement();
        xml.WriteStartElement("AssumedRoleUser");
        xml.WriteElementString("AssumedRoleId", assumedRoleId);
        xml.WriteElementString("Arn", sessionArn);
        xml.WriteEndElement();
        foreach (var (name, value) in more ?? [])
        {
            xml.WriteElementString(name, value);
        }

        // CloudTrail records the credentials' key id and expiry; never the secret or the session token.
        ctx.WriteAuditResponse(json =>
        {
            json.WriteStartObject("credentials");
            json.WriteString("accessKeyId", credentials.AccessKeyId);
            json.WriteString("expiration", expiration);
            json.WriteEndObject();
            json.WriteStartObject("assumedRoleUser");
            json.WriteString("assumedRoleId", assumedRoleId);
            json.WriteString("arn", sessionArn);
            json.WriteEndObject();
            foreach (var (name, value) in more ?? [])
            {
                json.WriteString(QueryErrors.LowerFirst(name), value);
            }
        });
    }
}