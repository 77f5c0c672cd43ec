using Citadel.Core.Audit;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>
/// Verification covers every stored column LookupEvents filters on or returns: a column edited in the
/// database beside an intact record is found, naming the event and the column.
/// </summary>
public abstract partial class StoreContractTests
{
    /// <summary>Runs SQL on the store's database directly, as someone with access to it could; returns the rows changed.</summary>
    protected abstract Task<int> ExecuteSqlAsync(string sql);

    [Theory]
    [Trait("Issue", "17")]
    [InlineData("event_id", "event_id = 'edited'")]
    [InlineData("event_time", "event_time = event_time + 2000")]
    [InlineData("account_id", "account_id = '444455556666'")]
    [InlineData("event_name", "event_name = 'Decrypt'")]
    [InlineData("event_source", "event_source = 'iam.amazonaws.com'")]
    [InlineData("username", "username = 'mallory'")]
    [InlineData("access_key_id", "access_key_id = NULL")]
    [InlineData("resource_name", "resource_name = 'arn:aws:kms:us-east-1:111122223333:key/other'")]
    [InlineData("read_only", "read_only = NOT read_only")]
    public async Task A_lookup_column_edited_in_the_database_is_found_by_verification_naming_the_event_and_the_column(string column, string assignment)
    {
        var records = await AppendVerifiableChainAsync();
        var untouched = await AuditChain.VerifyAsync("c1", Audit.ReadChainAsync("c1", 0, Ct), await Audit.GetChainHeadAsync("c1", Ct), Ct);

        Assert.Equal(1, await ExecuteSqlAsync($"UPDATE audit_events SET {assignment} WHERE chain_id = 'c1' AND seq = 2;"));
        var edited = await AuditChain.VerifyAsync("c1", Audit.ReadChainAsync("c1", 0, Ct), await Audit.GetChainHeadAsync("c1", Ct), Ct);

        Assert.Equal((true, 3L), (untouched.Intact, untouched.Records));
        var problem = Assert.Single(edited.Problems);
        Assert.StartsWith($"record 2 (event {(column == "event_id" ? "edited" : records[1].EventId)}): column {column} holds ", problem, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_walk_continued_from_where_the_last_ended_reads_its_last_record_as_it_was_and_verifies_the_records_after_it()
    {
        var records = await AppendVerifiableChainAsync();
        var head = (await Audit.GetChainHeadAsync("c1", Ct))!;
        var first = new AuditChainVerifier("c1", head with { Sequence = 2, Hash = records[1].Hash });
        await foreach (var record in Audit.ReadChainAsync("c1", 0, Ct).Take(2))
        {
            first.Add(record);
        }

        first.Finish();
        var anchor = first.Anchor!;

        var reread = await Audit.ReadChainAsync("c1", anchor.Last.Sequence, Ct).ToListAsync(Ct);
        var continued = new AuditChainVerifier("c1", head, anchor);
        foreach (var record in reread.Skip(1))
        {
            continued.Add(record);
        }

        var result = continued.Finish();

        // The verification job compares the whole record read again with the one it verified: the store reads it the same every time.
        Assert.Equal([2L, 3L], reread.Select(r => r.Sequence));
        Assert.Equal(anchor.Last, reread[0]);
        Assert.Equal((true, 3L), (result.Intact, result.Records));
    }

    /// <summary>Three records as the audit writer stores them: each column derived from the record it is hashed with.</summary>
    private async Task<List<AuditRecord>> AppendVerifiableChainAsync()
    {
        var records = new List<AuditRecord>();
        var previous = AuditChain.Genesis;
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            var time = Now.AddSeconds(sequence);
            var id = Guid.CreateVersion7(time).ToString("D");
            var record = $$"""{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIDALICE","userName":"alice"},"eventTime":"{{time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}","eventSource":"kms.amazonaws.com","eventName":"Encrypt","awsRegion":"us-east-1","eventID":"{{id}}","readOnly":false,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"{{KeyA}}"}],"eventType":"AwsApiCall","recipientAccountId":"111122223333"}""";
            var hash = AuditChain.Hash(previous, record);
            records.Add(new AuditRecord("c1", sequence, id, time, Account, "Encrypt", "kms.amazonaws.com", "alice", "AKIDALICE", KeyA, false, record, previous, hash));
            previous = hash;
        }

        await Audit.AppendAsync("c1", records, Ct);
        return records;
    }
}
