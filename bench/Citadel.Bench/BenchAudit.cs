using Citadel.Core.Identity;
using Citadel.Server.Audit;

namespace Citadel.Bench;

/// <summary>The audit event of one Encrypt by the account root through access key "test", as the micro benchmarks record it.</summary>
internal static class BenchAudit
{
    public static void FillEncrypt(AuditEvent e, Principal root, string keyArn, string? userAgent, string requestId, byte[] requestBody, byte[]? responseBody)
    {
        e.Reset();
        e.EventName = "Encrypt";
        e.EventTime = DateTimeOffset.UtcNow;
        e.EventId = Guid.CreateVersion7();
        e.Principal = root;
        e.AccessKeyId = "test";
        e.AccountId = root.AccountId;
        e.Region = "us-east-1";
        e.SourceIp = System.Net.IPAddress.Loopback;
        e.UserAgent = userAgent;
        e.RequestId = requestId;
        e.ReadOnly = false;
        e.RequestBody = requestBody;
        e.ResponseBody = responseBody;
        e.ResourceArn = keyArn;
        e.ResourceAccountId = root.AccountId;
    }
}
