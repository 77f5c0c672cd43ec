using System.Text.Json;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
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

    public static async ValueTask<Result<GetKeyLastUsageResponse>> GetKeyLastUsageAsync(KmsRuntime kms, GetKeyLastUsageRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;
        AuditCursor? after = null;
        Core.Audit.AuditRecord? last = null;
        string? requestId = null;
        for (var page = 0; page < 200 && last is null; page++)
        {
            var (records, next) = await kms.Audit.LookupAsync(new AuditQuery(key.AccountId, null, null, AuditLookupKey.ResourceName, key.Arn, 50, after), ct);
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

        return new GetKeyLastUsageResponse(key, last, requestId);
    }

    private static bool Succeeded(string record, out string? requestId)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        requestId = root.TryGetProperty("requestID", out var id) ? id.GetString() : null;
        return !root.TryGetProperty("errorCode", out _);
    }
}
