using System.Text.Json;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>
/// GetKeyLastUsage: the last successful cryptographic operation with the key, from the audit trail.
/// Tracking starts when the key was created (every use is recorded from then on).
/// </summary>
internal static class GetKeyLastUsageHandler
{
    private static readonly HashSet<string> Tracked = new(StringComparer.Ordinal)
    {
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign", "Verify", "VerifyMac",
    };

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GetKeyLastUsageRequest r, KeyRecord? resolved)
    {
        var key = resolved!;
        AuditCursor? after = null;
        Core.Audit.AuditRecord? last = null;
        string? requestId = null;
        for (var page = 0; page < 200 && last is null; page++)
        {
            var (records, next) = await ctx.Kms.Audit.LookupAsync(new AuditQuery(key.AccountId, null, null, AuditLookupKey.ResourceName, key.Arn, 50, after), ctx.Aborted);
            foreach (var record in records)
            {
                if (Tracked.Contains(record.EventName) && Succeeded(record.Record, out requestId))
                {
                    last = record;
                    break;
                }
            }

            if (next is null)
            {
                break;
            }

            after = next;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Arn);
        if (last is not null)
        {
            json.WriteStartObject("KeyLastUsage"u8);
            json.WriteString("Operation"u8, last.EventName);
            json.WriteEpochSeconds("Timestamp"u8, last.EventTime);
            json.WriteString("CloudTrailEventId"u8, last.EventId);
            if (requestId is not null)
            {
                json.WriteString("KmsRequestId"u8, requestId);
            }

            json.WriteEndObject();
        }

        json.WriteEpochSeconds("TrackingStartDate"u8, key.CreatedAt);
        json.WriteEpochSeconds("KeyCreationDate"u8, key.CreatedAt);
        json.WriteEndObject();
        return null;
    }

    private static bool Succeeded(string record, out string? requestId)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        requestId = root.TryGetProperty("requestID", out var id) ? id.GetString() : null;
        return !root.TryGetProperty("errorCode", out _);
    }
}
