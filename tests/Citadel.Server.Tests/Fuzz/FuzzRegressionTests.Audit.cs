using System.Buffers.Binary;
using Citadel.Core.Audit;
using Citadel.Server.Audit;

namespace Citadel.Server.Tests.Fuzz;

public sealed partial class FuzzRegressionTests
{
    [Fact]
    public void A_journal_frame_whose_checksum_matches_but_whose_field_runs_past_its_end_is_not_decoded()
    {
        var frame = FuzzTargets.JournalFrame(1, "Encrypt", null);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(85), 0xFFFE);
        FuzzTargets.FixChecksums(frame);
        var records = new List<AuditRecordUtf8>();

        var read = AuditFrame.DecodeAll(frame, 0, records);

        Assert.Equal((0, 0), (read, records.Count));
    }

    [Fact]
    public void A_journal_frame_whose_checksum_matches_but_whose_event_time_is_impossible_is_not_decoded()
    {
        byte[] journal = [.. FuzzTargets.JournalFrame(1, "Encrypt", null), .. FuzzTargets.JournalFrame(2, "Decrypt", null)];
        var second = journal.AsSpan(journal.Length / 2);
        BinaryPrimitives.WriteInt64LittleEndian(second[76..], long.MaxValue);
        FuzzTargets.FixChecksums(journal);
        var records = new List<AuditRecordUtf8>();

        var read = AuditFrame.DecodeAll(journal, 0, records);

        Assert.Equal((journal.Length / 2, 1), (read, records.Count));
        Assert.Equal("Encrypt", records[0].ToRecord("node-a").EventName);
    }

    [Fact]
    public void A_journal_that_fuzzing_found_decodes_only_its_intact_frames()
    {
        var input = Corpus("audit-journal", "field-length-past-frame-end.bin");
        var journal = input[1..];
        FuzzTargets.FixChecksums(journal);
        var records = new List<AuditRecordUtf8>();

        var read = AuditFrame.DecodeAll(journal, 0, records);

        Assert.InRange(read, 0, journal.Length);
        Assert.All(records, r => r.ToRecord("node-a"));
    }
}
