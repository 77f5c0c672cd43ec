using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Audit;
using Citadel.Core.Identity;
using Citadel.Server.Audit;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    /// <summary>
    /// Audit journal files as a drain reads them after a crash (<see cref="AuditFrame.DecodeAll"/>, then
    /// each record to the store's form; and <see cref="JournalContents"/>, which resynchronises after damage). A first byte with bit 0 set re-computes every frame's CRC-32
    /// after mutation, as a journal written by a faulty build or changed on disk would have it, so the
    /// fuzzer gets past the checksum to the layout inside.
    /// </summary>
    private static FuzzTarget AuditJournalFrames() => new(
        "audit-journal",
        () =>
        {
            byte[] journal = [.. JournalFrame(1, "Encrypt", null), .. JournalFrame(2, "CreateKey", "arn:aws:kms:us-east-1:111122223333:key/k1"), .. JournalFrame(3, "Decrypt", null)];
            return [[0, .. journal], [1, .. journal]];
        },
        input =>
        {
            if (input.Length == 0)
            {
                return;
            }

            var journal = input[1..];
            if ((input[0] & 1) != 0)
            {
                FixChecksums(journal);
            }

            var records = new List<AuditRecordUtf8>();
            var read = AuditFrame.DecodeAll(journal, 0, records);
            if (read < 0 || read > journal.Length)
            {
                throw new InvalidOperationException($"DecodeAll read {read} of {journal.Length} bytes.");
            }

            foreach (var record in records)
            {
                record.ToRecord("fuzz");
            }

            // The drain's reader: every offset it reports lies in the file, and what it takes decodes.
            var contents = JournalContents.Read("fuzz.journal", journal);
            var reading = contents.Classify(0);
            foreach (var item in contents.Items)
            {
                if (item.Offset < 0 || item.Length <= 0 || item.Offset + item.Length > journal.Length)
                {
                    throw new InvalidOperationException($"JournalContents reported bytes {item.Offset}+{item.Length} of {journal.Length}.");
                }
            }

            foreach (var taken in reading.Taken)
            {
                AuditFrame.Decode(reading.Frame(taken)).ToRecord("fuzz");
            }
        },
        ShortRunExecutions: 15_000);

    /// <summary>A journal frame as a request builds it and the writer seals it.</summary>
    internal static byte[] JournalFrame(long sequence, string eventName, string? resource)
    {
        using var entry = new AuditEntry();
        var e = entry.Event;
        e.EventName = eventName;
        e.EventTime = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        e.EventId = Guid.NewGuid();
        e.Principal = new Principal("111122223333", "arn:aws:iam::111122223333:user/alice", PrincipalType.IamUser, "AIDAALICE");
        e.AccessKeyId = "AKIAALICE";
        e.AccountId = "111122223333";
        e.Region = "us-east-1";
        e.SourceIp = IPAddress.Loopback;
        e.UserAgent = "aws-cli/2";
        e.RequestBody = Encoding.UTF8.GetBytes("""{"KeyId":"alias/app","EncryptionContext":{"App":"billing"}}""");
        e.ResourceArn = resource;
        entry.Build();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var previous = new byte[32];
        AuditFrame.Seal(entry.Frame.Written, sequence, previous, Encoding.ASCII.GetBytes(AuditChain.Genesis), sha256, new byte[32]);
        return entry.Frame.Written.ToArray();
    }

    /// <summary>Walks the frames by their length fields and sets each one's CRC-32 to match what it holds.</summary>
    internal static void FixChecksums(Span<byte> journal)
    {
        while (journal.Length >= 4)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(journal);
            if (length < 12 || length > journal.Length - 4)
            {
                return;
            }

            var frame = journal[..(4 + length)];
            BinaryPrimitives.WriteUInt32LittleEndian(frame[^4..], Crc32.HashToUInt32(frame[4..^4]));
            journal = journal[frame.Length..];
        }
    }
}
