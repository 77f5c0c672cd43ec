using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Keys;

public sealed class KeyIdTests
{
    private const string Mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";

    [Fact]
    public void A_multi_Region_key_id_parses_and_is_written_as_AWS_writes_it()
    {
        Assert.True(KeyId.TryParse(Mrk, out var id));

        Assert.True(id.IsMultiRegion);
        Assert.Null(id.Region);
        Assert.Equal(Mrk, id.ToString());
        Assert.Equal(Guid.Parse("1234abcd-12ab-34cd-56ef-1234567890ab"), id.Value);
    }

    [Theory]
    [InlineData("mrk-1234ABCD12AB34CD56EF1234567890AB")]
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890a")]
    [InlineData("mrk-1234abcd-12ab-34cd-56ef-1234567")]
    [InlineData("MRK-1234abcd12ab34cd56ef1234567890ab")]
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890ag")]
    public void A_malformed_multi_Region_key_id_does_not_parse(string text)
    {
        Assert.False(KeyId.TryParse(text, out _));
    }

    [Fact]
    public void The_keys_of_a_set_in_two_Regions_are_different_keys_of_one_set_with_one_public_id()
    {
        Assert.True(KeyId.TryParse(Mrk, out var set));

        var east = set.InRegion("us-east-1");
        var west = set.InRegion("us-west-2");

        Assert.NotEqual(east, west);
        Assert.Equal(east.Set, west.Set);
        Assert.Equal(set, east.Set);
        Assert.Equal(Mrk, west.ToString());
        Assert.Equal(Mrk + "/us-west-2", west.StoreKey);
        Assert.Equal("arn:aws:kms:us-west-2:111122223333:key/" + Mrk, Arns.Key("us-west-2", "111122223333", west));
    }

    [Fact]
    public void A_single_Region_key_id_is_the_same_in_any_Region_and_its_store_key_is_itself()
    {
        var id = new KeyId(Guid.Parse("1234abcd-12ab-34cd-56ef-1234567890ab"));

        Assert.Equal(id, id.InRegion("us-west-2"));
        Assert.Equal("1234abcd-12ab-34cd-56ef-1234567890ab", id.StoreKey);
        Assert.False(id.IsMultiRegion);
    }

    [Theory]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData(Mrk + "/us-west-2")]
    public void A_store_key_reads_back_as_the_key_it_was_written_for(string storeKey)
    {
        Assert.True(KeyId.TryParseStoreKey(storeKey, out var id));

        Assert.Equal(storeKey, id.StoreKey);
    }

    [Theory]
    [InlineData(Mrk)]
    [InlineData(Mrk + "/")]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ab/us-west-2")]
    public void A_store_key_without_its_Region_or_with_one_it_may_not_have_does_not_read(string storeKey)
    {
        Assert.False(KeyId.TryParseStoreKey(storeKey, out _));
    }

    [Fact]
    public void A_key_reference_by_multi_Region_ARN_names_the_set_and_its_Region()
    {
        Assert.True(KeyReference.TryParse("arn:aws:kms:us-west-2:111122223333:key/" + Mrk, out var reference));

        Assert.Equal(KeyReferenceKind.KeyArn, reference.Kind);
        Assert.Equal("us-west-2", reference.Region);
        Assert.Equal(Mrk, reference.KeyId.ToString());
    }

    [Fact]
    public void Two_records_of_a_key_with_the_same_replica_Regions_are_equal_whatever_lists_hold_them()
    {
        var key = new KeyRecord
        {
            Id = KeyId.NewMultiRegion("us-east-1"), AccountId = "111122223333", Region = "us-east-1", CreatedAt = DateTimeOffset.UnixEpoch,
            State = KeyState.Enabled, Policy = "{}", PrimaryRegion = "us-east-1", ReplicaRegions = new List<string> { "us-west-2" },
        };

        var again = key with { ReplicaRegions = ["us-west-2"] };
        var other = key with { ReplicaRegions = ["eu-west-1"] };

        Assert.Equal(key, again);
        Assert.Equal(key.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(key, other);
    }
}
