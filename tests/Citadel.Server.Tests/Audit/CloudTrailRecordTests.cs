using System.Globalization;
using System.Text;
using Citadel.Core.Identity;
using Citadel.Server.Audit;

namespace Citadel.Server.Tests.Audit;

/// <summary>The CloudTrail record a request's event becomes, built on the request's thread (<see cref="AuditEntry.Build"/>).</summary>
[Trait("Issue", "17")]
public sealed class CloudTrailRecordTests
{
    [Theory]
    [InlineData("2026-11-28T10:00:00Z")]
    [InlineData("2026-11-28T23:59:59.9999999+01:00")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("2024-02-29T07:08:09-11:30")]
    public void A_time_is_written_in_utc_as_yyyy_MM_ddTHH_mm_ssZ(string time)
    {
        var value = DateTimeOffset.Parse(time, CultureInfo.InvariantCulture);
        Span<byte> utf8 = stackalloc byte[32];

        var written = CloudTrailRecord.FormatTime(value, utf8);

        Assert.Equal(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), Encoding.UTF8.GetString(utf8[..written]));
    }

    [Fact]
    public void A_role_sessions_record_gives_the_time_its_session_was_issued()
    {
        using var entry = new AuditEntry();
        TestEvents.Fill(entry.Event, "Encrypt");
        entry.Event.Principal = RoleSession(DateTimeOffset.Parse("2026-11-28T09:30:15.5+02:00", CultureInfo.InvariantCulture));

        entry.Build();

        var record = Encoding.UTF8.GetString(entry.Frame.Written);
        Assert.Contains("\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"AROAAPP\",\"arn\":\"arn:aws:iam::111122223333:role/app\",\"accountId\":\"111122223333\",\"userName\":\"app\"}", record);
        Assert.Contains("\"attributes\":{\"creationDate\":\"2026-11-28T07:30:15Z\",\"mfaAuthenticated\":\"false\"}", record);
        Assert.Contains("\"eventTime\":\"2026-11-28T10:00:00Z\"", record);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Building_a_warm_entry_allocates_nothing(bool roleSession)
    {
        using var entry = new AuditEntry();
        TestEvents.Fill(entry.Event, "Encrypt");
        if (roleSession)
        {
            entry.Event.Principal = RoleSession(DateTimeOffset.Parse("2026-11-28T09:30:15Z", CultureInfo.InvariantCulture));
        }

        entry.Event.ResponseBody = """{"CiphertextBlob":"AQIDBA==","KeyId":"arn:aws:kms:us-east-1:111122223333:key/k1","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}"""u8.ToArray();

        var allocated = Allocations.OfWarmRun(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                entry.Build();
            }
        });

        Assert.Equal(0, allocated);
    }

    private static Principal RoleSession(DateTimeOffset issued) =>
        new("111122223333", "arn:aws:sts::111122223333:assumed-role/app/s1", PrincipalType.AssumedRole, "AROAAPP:s1")
        {
            Session = new SessionContext("arn:aws:iam::111122223333:role/app", "AROAAPP", "s1", issued, issued.AddHours(1), Chained: false),
        };
}
