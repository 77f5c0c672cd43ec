using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>
/// CloudTrail's LookupEvents on the same endpoint (SigV4 service "cloudtrail"): the caller's
/// account's events, newest first, filtered by at most one lookup attribute and a time range.
/// </summary>
internal static class LookupEventsHandler
{
    private static readonly string[] AttributeKeys = ["EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"];

    public static void Validate(LookupEventsRequest r, ref Validation v)
    {
        if (r.LookupAttributes is not null)
        {
            for (var i = 0; i < r.LookupAttributes.Count; i++)
            {
                var attribute = r.LookupAttributes[i];
                v.Required(attribute, $"lookupAttributes.{i + 1}.member");
                v.Required(attribute?.AttributeKey, $"lookupAttributes.{i + 1}.member.attributeKey");
                v.Enum(attribute?.AttributeKey, $"lookupAttributes.{i + 1}.member.attributeKey", AttributeKeys);
                v.Required(attribute?.AttributeValue, $"lookupAttributes.{i + 1}.member.attributeValue");
                v.Length(attribute?.AttributeValue, $"lookupAttributes.{i + 1}.member.attributeValue", 1, 2000);
            }
        }
    }

    /// <summary>LookupEvents is CloudTrail's, not in the KMS model: its input, by hand.</summary>
    public static OperationInput<LookupEventsRequest> Input { get; } = new("LookupEvents", static (LookupEventsRequest _, ref Validation _) => { });

    /// <summary>The query must be one this server can answer before the caller is authorized.</summary>
    public static KmsError? Admit(Caller caller, LookupEventsRequest r) => ReadQuery(r, caller.Principal.AccountId).Error;

    public static async ValueTask<Result<LookupEventsResponse>> LookupEventsAsync(KmsRuntime kms, LookupEventsRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var query = ReadQuery(r, caller.Principal.AccountId).Value;

        // CloudTrail refuses "a token that was previously used in a request with different parameters": a token
        // names the account and filter it pages, so it continues only the lookup that returned it (LookupTokens).
        var parameters = kms.LookupTokens.Bind(query);
        if (r.NextToken is not null)
        {
            if (!kms.LookupTokens.TryDecode(r.NextToken, parameters, out var cursor))
            {
                return new KmsError(KmsErrorCode.InvalidNextToken, "The NextToken is not valid. Use the token from the previous LookupEvents response.");
            }

            query = query with { After = cursor };
        }

        var (records, next) = await kms.Audit.LookupAsync(query, ct);
        return new LookupEventsResponse(records, next is { } n ? kms.LookupTokens.Encode(n, parameters) : null);
    }

    /// <summary>
    /// The query the request asks for in <paramref name="accountId"/>, or CloudTrail's error for it (checked before
    /// authorization, as CloudTrail does). Its NextToken is read after (it takes the token key: <see cref="LookupTokens"/>).
    /// </summary>
    internal static Result<AuditQuery> ReadQuery(LookupEventsRequest r, string accountId)
    {
        if (r.LookupAttributes is { Count: > 1 })
        {
            return new KmsError(KmsErrorCode.InvalidLookupAttributes, "You cannot specify more than one lookup attribute.");
        }

        if (r.EventCategory is not null)
        {
            return new KmsError(KmsErrorCode.InvalidEventCategory, $"Event category {r.EventCategory} is not supported: this server records management events only.");
        }

        if (r.MaxResults is < 1 or > 50)
        {
            return new KmsError(KmsErrorCode.InvalidMaxResults, "MaxResults must be between 1 and 50.");
        }

        // CloudTrail answers a time a DateTimeOffset cannot hold with InvalidTimeRangeException ("the time range is
        // outside the range of possible values", CloudTrail API reference).
        if (!EpochSeconds.TryToTime(r.StartTime, out var start) || !EpochSeconds.TryToTime(r.EndTime, out var end))
        {
            return new KmsError(KmsErrorCode.InvalidTimeRange, "The time range is outside the range of possible values.");
        }

        if (start > end)
        {
            return new KmsError(KmsErrorCode.InvalidTimeRange, "The start time must be earlier than the end time.");
        }

        var attribute = r.LookupAttributes is [var only] ? only : null;
        var key = attribute?.AttributeKey switch
        {
            "EventId" => AuditLookupKey.EventId,
            "EventName" => AuditLookupKey.EventName,
            "ReadOnly" => AuditLookupKey.ReadOnly,
            "Username" => AuditLookupKey.Username,
            "ResourceType" => AuditLookupKey.ResourceType,
            "ResourceName" => AuditLookupKey.ResourceName,
            "EventSource" => AuditLookupKey.EventSource,
            "AccessKeyId" => AuditLookupKey.AccessKeyId,
            _ => AuditLookupKey.None,
        };
        return new AuditQuery(accountId, start, end, key, attribute?.AttributeValue, r.MaxResults ?? 50, null);
    }
}
