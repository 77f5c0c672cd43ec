using Citadel.Core.Audit;

namespace Citadel.Core.Tests.Audit;

[Trait("Issue", "4")]
public sealed class AuditChainTests
{
    private static readonly DateTimeOffset Time = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void The_hash_is_SHA256_of_the_previous_hash_a_newline_and_the_record()
    {
        var hash = AuditChain.Hash(AuditChain.Genesis, "{}");

        // printf '0000000000000000000000000000000000000000000000000000000000000000\n{}' | sha256sum
        Assert.Equal("5649d09ed68c17156095d175eef152856c5b1a81c117c409c1e00f096aa6838e", hash);
    }

    [Fact]
    public void An_untouched_chain_verifies_intact()
    {
        var (records, head) = Chain(5);

        var result = AuditChain.Verify("local", records, head);

        Assert.True(result.Intact);
        Assert.Equal(5, result.Records);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void A_record_whose_content_changed_is_reported_with_its_event_id()
    {
        var (records, head) = Chain(5);
        records[2] = records[2] with { Record = """{"eventName":"Decrypt","n":3}""" };

        var result = AuditChain.Verify("local", records, head);

        Assert.False(result.Intact);
        Assert.Equal(["record 3 (event event-3) was changed: its content does not match its hash"], result.Problems);
    }

    [Fact]
    public void A_changed_record_given_a_new_hash_breaks_the_link_of_the_next_record()
    {
        var (records, head) = Chain(5);
        var changed = records[2].Record.Replace("\"n\":3", "\"n\":33", StringComparison.Ordinal);
        records[2] = records[2] with { Record = changed, Hash = AuditChain.Hash(records[2].PreviousHash, changed) };

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(["record 4 does not link to record 3"], result.Problems);
    }

    [Fact]
    public void A_record_removed_from_the_middle_is_reported_missing()
    {
        var (records, head) = Chain(5);
        records.RemoveAt(2);

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(["record 3 is missing (removed)", "record 4 does not link to record 3"], result.Problems);
    }

    [Fact]
    public void Several_records_removed_from_the_middle_are_reported_as_a_range()
    {
        var (records, head) = Chain(6);
        records.RemoveRange(1, 3);

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(["records 2–4 are missing (removed)", "record 5 does not link to record 4"], result.Problems);
    }

    [Fact]
    public void Records_removed_from_the_end_are_found_through_the_chain_head()
    {
        var (records, head) = Chain(5);
        records.RemoveRange(3, 2);

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(["the chain head is record 5, but the last record is 3: records 4–5 were removed from the end"], result.Problems);
    }

    [Fact]
    public void The_last_record_removed_is_found_through_the_chain_head()
    {
        var (records, head) = Chain(5);
        records.RemoveAt(4);

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(["the chain head is record 5, but the last record is 4: record 5 was removed from the end"], result.Problems);
    }

    [Fact]
    public void Every_record_removed_is_found_through_the_chain_head()
    {
        var (_, head) = Chain(3);

        var result = AuditChain.Verify("local", [], head);

        Assert.Equal(["the chain head is record 3, but no records remain (all removed)"], result.Problems);
    }

    [Fact]
    public void A_last_record_replaced_whole_does_not_match_the_chain_heads_hash()
    {
        var (records, head) = Chain(3);
        var forged = Record(3, n: 99);
        records[2] = records[2] with { Record = forged, Hash = AuditChain.Hash(records[2].PreviousHash, forged) };

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(["the last record 3 does not match the chain head's hash"], result.Problems);
    }

    [Fact]
    public void A_first_record_not_linked_to_the_genesis_hash_does_not_start_the_chain()
    {
        var (records, head) = Chain(2);
        var previous = new string('1', 64);
        records[0] = records[0] with { PreviousHash = previous, Hash = AuditChain.Hash(previous, records[0].Record) };
        records[1] = records[1] with { PreviousHash = records[0].Hash, Hash = AuditChain.Hash(records[0].Hash, records[1].Record) };

        var result = AuditChain.Verify("local", records, head with { Hash = records[1].Hash });

        Assert.Equal(["record 1 does not start the chain"], result.Problems);
    }

    [Fact]
    public void A_chain_trimmed_by_retention_verifies_from_where_it_is_retained()
    {
        var (records, head) = Chain(6);
        records.RemoveRange(0, 3);

        var result = AuditChain.Verify("local", records, head with { RetainedFromSequence = 4 });

        Assert.True(result.Intact);
        Assert.Equal(3, result.Records);
    }

    [Fact]
    public void A_record_removed_at_the_start_of_the_retained_part_is_reported_missing()
    {
        var (records, head) = Chain(6);
        records.RemoveRange(0, 4);

        var result = AuditChain.Verify("local", records, head with { RetainedFromSequence = 4 });

        Assert.Equal(["record 4 is missing (removed)"], result.Problems);
    }

    [Fact]
    public void Verification_stops_after_twenty_problems()
    {
        var (records, head) = Chain(30);
        for (var i = 0; i < records.Count; i++)
        {
            records[i] = records[i] with { Record = "changed" };
        }

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(21, result.Problems.Count);
        Assert.Equal("(stopped after 20 problems)", result.Problems[^1]);
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData("event_id", "'event-2'", "'event-x'")]
    [InlineData("event_name", "'Encrypt'", "'Decrypt'")]
    [InlineData("event_source", "'kms.amazonaws.com'", "'iam.amazonaws.com'")]
    [InlineData("account_id", "'111122223333'", "'444455556666'")]
    [InlineData("username", "'root'", "'mallory'")]
    [InlineData("access_key_id", "'test'", "nothing")]
    [InlineData("resource_name", "nothing", "'arn:aws:kms:us-east-1:111122223333:key/other'")]
    [InlineData("read_only", "'true'", "'false'")]
    [InlineData("event_time", "'2025-01-02T03:04:05Z'", "'2025-01-02T03:04:07.000Z'")]
    public void A_lookup_column_changed_beside_an_intact_record_is_reported_with_the_event_and_the_column(string column, string recorded, string stored)
    {
        var (records, head) = Chain(3);
        var r = records[1];
        records[1] = column switch
        {
            "event_id" => r with { EventId = "event-x" },
            "event_name" => r with { EventName = "Decrypt" },
            "event_source" => r with { EventSource = "iam.amazonaws.com" },
            "account_id" => r with { AccountId = "444455556666" },
            "username" => r with { Username = "mallory" },
            "access_key_id" => r with { AccessKeyId = null },
            "resource_name" => r with { ResourceName = "arn:aws:kms:us-east-1:111122223333:key/other" },
            "read_only" => r with { ReadOnly = false },
            _ => r with { EventTime = r.EventTime.AddSeconds(2) },
        };

        var result = AuditChain.Verify("local", records, head);

        Assert.False(result.Intact);
        Assert.Equal([$"record 2 (event {records[1].EventId}): column {column} holds {stored}, but the hashed record says {recorded}"], result.Problems);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void An_event_time_moved_within_its_second_is_found_through_the_milliseconds_of_its_version_7_event_id()
    {
        var time = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 250, TimeSpan.Zero);
        var id = Guid.CreateVersion7(time).ToString("D");
        var record = Record(1).Replace("event-1", id, StringComparison.Ordinal);
        var hash = AuditChain.Hash(AuditChain.Genesis, record);
        var stored = new AuditRecord("local", 1, id, time, "111122223333", "Encrypt", "kms.amazonaws.com", "root", "test", null, true, record, AuditChain.Genesis, hash);
        var head = new AuditChainHead("local", 1, hash, 1);

        var untouched = AuditChain.Verify("local", [stored], head);
        var moved = AuditChain.Verify("local", [stored with { EventTime = time.AddMilliseconds(500) }], head);

        Assert.Empty(untouched.Problems);
        Assert.Equal([$"record 1 (event {id}): column event_time holds '2025-01-02T03:04:05.750Z', but the hashed record says '2025-01-02T03:04:05Z'"], moved.Problems);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void An_integrated_service_recorded_as_an_assumed_role_with_no_slash_in_its_name_has_no_username()
    {
        var record = Record(1).Replace("\"type\":\"Root\"", "\"type\":\"AssumedRole\"", StringComparison.Ordinal)
            .Replace("arn:aws:iam::111122223333:root", "secretsmanager.amazonaws.com", StringComparison.Ordinal);
        var hash = AuditChain.Hash(AuditChain.Genesis, record);
        var stored = new AuditRecord("local", 1, "event-1", Time, "111122223333", "Encrypt", "kms.amazonaws.com", null, "test", null, true, record, AuditChain.Genesis, hash);

        var result = AuditChain.Verify("local", [stored], new AuditChainHead("local", 1, hash, 1));

        Assert.Empty(result.Problems);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void A_recorded_gap_stands_for_the_lost_records_and_the_chain_verifies_intact_naming_it()
    {
        var (records, head) = Chain(6);
        var lostLastHash = records[3].Hash;
        records.RemoveRange(2, 2);
        var gap = AuditGap.Record("local", 3, 4, records[1].Hash, lostLastHash, "journal damaged", "111122223333", "us-east-1", Time);
        records.Insert(2, gap);

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal((true, 5L), (result.Intact, result.Records));
        Assert.Empty(result.Problems);
        Assert.Equal([$"records 3–4 were lost: journal damaged (recorded as event {gap.EventId})"], result.Gaps);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void A_gap_record_that_names_the_wrong_next_hash_breaks_the_link_of_the_next_record()
    {
        var (records, head) = Chain(6);
        records.RemoveRange(2, 2);
        records.Insert(2, AuditGap.Record("local", 3, 4, records[1].Hash, new string('e', 64), "journal damaged", "111122223333", "us-east-1", Time));

        var result = AuditChain.Verify("local", records, head);

        Assert.Equal(["record 5 does not link to record 4"], result.Problems);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void A_walk_continued_from_a_recorded_gap_where_the_last_walk_ended_reports_what_a_whole_walk_reports()
    {
        var (records, head) = GapChain();
        var first = new AuditChainVerifier("local", new AuditChainHead("local", 3, records[2].Hash, 1));
        records.Take(3).ToList().ForEach(r => first.Add(r));
        first.Finish();
        var anchor = first.Anchor!;

        var continued = new AuditChainVerifier("local", head, anchor);
        records.Skip(3).ToList().ForEach(r => continued.Add(r));
        var result = continued.Finish();

        // The gap record is the anchor: the next record is 5 and links to the last lost record's hash.
        Assert.Equal((3L, 5L, records[3].PreviousHash), (anchor.Last.Sequence, anchor.NextSequence, anchor.NextPreviousHash));
        var whole = AuditChain.Verify("local", records, head);
        Assert.Equal((true, 7L), (result.Intact, result.Records));
        Assert.Equal((whole.Intact, whole.Records), (result.Intact, result.Records));
        Assert.Equal(whole.Gaps, result.Gaps);
        Assert.Equal(records[^1], continued.Anchor!.Last);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void A_walk_continued_from_an_anchor_finds_a_record_that_does_not_link_to_it_and_leaves_no_anchor()
    {
        var (records, head) = Chain(5);
        var first = new AuditChainVerifier("local", new AuditChainHead("local", 3, records[2].Hash, 1));
        records.Take(3).ToList().ForEach(r => first.Add(r));
        first.Finish();
        records[3] = records[3] with { PreviousHash = new string('e', 64) };

        var continued = new AuditChainVerifier("local", head, first.Anchor!);
        records.Skip(3).ToList().ForEach(r => continued.Add(r));
        var result = continued.Finish();

        Assert.Equal((false, 5L), (result.Intact, result.Records));
        Assert.Contains("record 4 does not link to record 3", result.Problems);
        Assert.Null(continued.Anchor);
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(1, 7L, 1)]
    [InlineData(2, 6L, 1)]
    [InlineData(3, 5L, 1)]
    [InlineData(5, 4L, 0)]
    [InlineData(8, 1L, 0)]
    public void An_anchor_whose_chain_retention_moved_counts_the_records_and_gaps_a_walk_from_the_new_start_counts(long retainedFrom, long records, int gaps)
    {
        var (chain, head) = GapChain();
        var anchor = Walk(chain, head).Anchor!;

        var moved = anchor.RetainedFrom(retainedFrom)!;

        var walked = AuditChain.Verify("local", chain.Where(r => r.Sequence >= retainedFrom), head with { RetainedFromSequence = retainedFrom });
        Assert.True(walked.Intact);
        Assert.Equal((records, gaps), (walked.Records, walked.Gaps.Count));
        Assert.Equal((records, gaps, retainedFrom), (moved.Records, moved.Gaps.Count, moved.FirstSequence));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(9)]
    [InlineData(0)]
    public void An_anchor_whose_chain_start_moved_past_it_or_back_is_no_place_to_continue_from(long retainedFrom)
    {
        var (chain, head) = GapChain();

        Assert.Null(Walk(chain, head).Anchor!.RetainedFrom(retainedFrom));
    }

    private static AuditChainVerifier Walk(List<AuditRecord> records, AuditChainHead head)
    {
        var verifier = new AuditChainVerifier("local", head);
        records.ForEach(r => verifier.Add(r));
        verifier.Finish();
        return verifier;
    }

    /// <summary>Records 1–8 with a recorded gap at 3 for records 3–4: seven records.</summary>
    private static (List<AuditRecord> Records, AuditChainHead Head) GapChain()
    {
        var (records, head) = Chain(8);
        var lostLastHash = records[3].Hash;
        records.RemoveRange(2, 2);
        records.Insert(2, AuditGap.Record("local", 3, 4, records[1].Hash, lostLastHash, "journal damaged", "111122223333", "us-east-1", Time));
        return (records, head);
    }

    private static (List<AuditRecord> Records, AuditChainHead Head) Chain(int count)
    {
        var records = new List<AuditRecord>();
        var previous = AuditChain.Genesis;
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var record = Record(sequence);
            var hash = AuditChain.Hash(previous, record);
            records.Add(new AuditRecord("local", sequence, $"event-{sequence}", Time, "111122223333", "Encrypt", "kms.amazonaws.com", "root", "test", null, true, record, previous, hash));
            previous = hash;
        }

        return (records, new AuditChainHead("local", count, previous, 1));
    }

    /// <summary>A CloudTrail record whose lookup columns are those <see cref="Chain"/> stores beside it.</summary>
    private static string Record(int sequence, string eventName = "Encrypt", int? n = null) =>
        $$"""{"eventVersion":"1.11","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"test"},"eventTime":"2025-01-02T03:04:05Z","eventSource":"kms.amazonaws.com","eventName":"{{eventName}}","eventID":"event-{{sequence}}","readOnly":true,"recipientAccountId":"111122223333","n":{{n ?? sequence}}}""";
}
