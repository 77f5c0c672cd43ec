using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>
    /// The Encrypt of <paramref name="keyArn"/> at <paramref name="time"/> with a version-7 event id of that time (as the server
    /// makes them), chained as record <paramref name="sequence"/> after <paramref name="hex"/> (the previous hash, updated), its
    /// frame written to <paramref name="frames"/>.
    /// </summary>
    public static void WriteEncryptFrame(FrameBuffer frames, AuditEntry entry, Principal root, string keyArn, DateTimeOffset time, long sequence, byte[] hash, byte[] hex, IncrementalHash sha256)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"KeyId":"{{{keyArn}}}","Plaintext":"AAAA","EncryptionContext":{"app":"billing","tenant":"t-0042"}}""");
        FillEncrypt(entry.Event, root, keyArn, "aws-sdk-dotnet-coreclr/4.1.0.0 ua/2.1 os/linux lang/.NET_Core#10.0 api/KMS#4.1.0.0", Guid.NewGuid().ToString(), body, null);
        entry.Event.EventTime = time;
        entry.Event.EventId = Guid.CreateVersion7(time);
        entry.Build();
        AuditFrame.Seal(entry.Frame.Written, sequence, hash, hex, sha256, hash);
        Convert.TryToHexStringLower(hash, hex, out _);
        frames.Write(entry.Frame.Written);
    }

    /// <summary>The command's argument at <paramref name="index"/> as a number, or <paramref name="fallback"/> when it has none.</summary>
    public static int Argument(string[] args, int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
