using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.PostgreSql.Tests;

public sealed class ChangeMessageTests
{
    [Fact]
    public void Every_kind_of_change_is_read_back_as_written()
    {
        var key = KeyId.New();
        StoreChange[] changes =
        [
            StoreChange.KeyChanged(key), StoreChange.KeyDeleted(key), StoreChange.TagsChanged(key), StoreChange.GrantsChanged(key),
            StoreChange.AliasChanged("111122223333", "eu-west-1", "alias/a:b/c_d-e"), StoreChange.Identities, StoreChange.AllKeys, StoreChange.Everything,
        ];

        var (sequence, read) = ChangeMessage.Parse("42\n" + ChangeMessage.Format(changes));

        Assert.Equal(42, sequence);
        Assert.Equal(changes, read);
    }

    [Theory]
    [InlineData("x\nk 1")]
    [InlineData("7\nk not-a-key")]
    [InlineData("7\nq something")]
    [InlineData("7\na only-two")]
    public void A_payload_that_cannot_be_read_means_everything(string payload)
    {
        var (_, read) = ChangeMessage.Parse(payload);

        Assert.Contains(StoreChange.Everything, read);
    }

    [Fact]
    public void A_change_set_too_long_for_one_notification_is_sent_as_everything()
    {
        var changes = Enumerable.Range(0, 500).Select(_ => StoreChange.KeyChanged(KeyId.New()));

        Assert.Equal("*", ChangeMessage.Format(changes));
    }
}
