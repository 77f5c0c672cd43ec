using System.Net;
using System.Text;
using Citadel.Core.Identity;
using Citadel.Server.Audit;

namespace Citadel.Server.Tests.Audit;

/// <summary>The event the journal tests record: an Encrypt by alice, with an encryption context and a plaintext that must not be kept.</summary>
internal static class TestEvents
{
    public static readonly Principal Alice = new("111122223333", "arn:aws:iam::111122223333:user/alice", PrincipalType.IamUser, "AIDAALICE");

    public static void Fill(AuditEvent e, string eventName)
    {
        e.EventName = eventName;
        e.EventTime = DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        e.EventId = Guid.NewGuid();
        e.Principal = Alice;
        e.AccessKeyId = "AKIAALICE";
        e.AccountId = "111122223333";
        e.Region = "us-east-1";
        e.SourceIp = IPAddress.Loopback;
        e.UserAgent = "aws-cli/2";
        e.RequestBody = Encoding.UTF8.GetBytes("""{"KeyId":"alias/app","Plaintext":"c2VjcmV0","EncryptionContext":{"App":"billing"}}""");
        e.ResourceArn = "arn:aws:kms:us-east-1:111122223333:key/k1";
    }
}
