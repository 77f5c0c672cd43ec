using System.Text;
using Citadel.Core.Audit;

namespace Citadel.Core.Tests.Audit;

[Trait("Issue", "17")]
public sealed class JournalRecordReferenceTests
{
    [Fact]
    public void A_reference_is_written_as_text_and_read_back()
    {
        var buffer = new byte[JournalRecordReference.MaxLength];

        var written = Encoding.UTF8.GetString(buffer, 0, JournalRecordReference.Write("3f2c0a9b8e7d6c5b4a3928170615f4e3", 16777215, 1234, buffer));

        Assert.Equal("@journal 3f2c0a9b8e7d6c5b4a3928170615f4e3 16777215 1234", written);
        Assert.True(JournalRecordReference.TryParse(written, out var segment, out var offset, out var length));
        Assert.Equal(("3f2c0a9b8e7d6c5b4a3928170615f4e3", 16777215L, 1234), (segment, offset, length));
    }

    [Theory]
    [InlineData("{\"eventVersion\":\"1.11\"}")]
    [InlineData("")]
    [InlineData("@journal")]
    [InlineData("@journal abc 1")]
    [InlineData("@journal abc 1 2 3")]
    [InlineData("@journal ../../etc/passwd 0 10")]
    [InlineData("@journal abc/def 0 10")]
    [InlineData("@journal  0 10")]
    [InlineData("@journal abc -1 10")]
    [InlineData("@journal abc 0 -10")]
    [InlineData("@journal abc 0 99999999999")]
    [InlineData("@journalx abc 0 10")]
    public void A_stored_value_that_is_not_a_well_formed_reference_to_a_plain_segment_name_is_no_reference(string stored)
    {
        Assert.False(JournalRecordReference.TryParse(stored, out _, out _, out _));
    }
}
