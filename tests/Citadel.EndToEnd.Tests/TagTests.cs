using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>TagResource, UntagResource, ListResourceTags, and tags given to CreateKey.</summary>
[Collection("server")]
public sealed class TagTests(ServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task Tags_given_to_CreateKey_are_listed_by_ListResourceTags_in_key_order()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("team", "red", "env", "prod") })).KeyMetadata;

        var tags = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });

        Assert.Equal([("env", "prod"), ("team", "red")], tags.Tags.Select(t => (t.TagKey, t.TagValue)));
        Assert.False(tags.Truncated);
        Assert.Null(tags.NextMarker);
    }

    [Fact]
    public async Task TagResource_adds_tags_and_replaces_the_value_of_an_existing_key()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("team", "red") })).KeyMetadata;

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.Arn, Tags = Kms.Tags("team", "blue", "cost-center", "") });

        var tags = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.Arn });
        Assert.Equal([("cost-center", ""), ("team", "blue")], tags.Tags.Select(t => (t.TagKey, t.TagValue)));
    }

    [Fact]
    public async Task UntagResource_removes_the_named_tags_and_ignores_keys_that_are_not_there()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("a", "1", "b", "2", "c", "3") })).KeyMetadata;

        await _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = key.KeyId, TagKeys = ["a", "c", "never-there"] });

        var tags = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });
        Assert.Equal([("b", "2")], tags.Tags.Select(t => (t.TagKey, t.TagValue)));
    }

    [Fact]
    public async Task ListResourceTags_of_a_key_without_tags_is_empty()
    {
        var key = await _kms.NewKeyAsync();

        var tags = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });

        Assert.Empty(tags.Tags ?? []);
        Assert.False(tags.Truncated);
    }

    [Fact]
    public async Task ListResourceTags_pages_with_Limit_and_Marker_until_Truncated_is_false()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("k1", "a", "k2", "b", "k3", "c", "k4", "d", "k5", "e") })).KeyMetadata;

        var first = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 2 });
        var second = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 2, Marker = first.NextMarker });
        var third = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 2, Marker = second.NextMarker });

        Assert.Equal(["k1", "k2"], first.Tags.Select(t => t.TagKey));
        Assert.True(first.Truncated);
        Assert.Equal(["k3", "k4"], second.Tags.Select(t => t.TagKey));
        Assert.True(second.Truncated);
        Assert.Equal(["k5"], third.Tags.Select(t => t.TagKey));
        Assert.False(third.Truncated);
        Assert.Null(third.NextMarker);
    }

    [Fact]
    public async Task ListResourceTags_with_a_marker_that_is_not_base64_fails_with_InvalidMarker()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Marker = "!!!" });

        await Kms.FailsAsync<InvalidMarkerException>(
            act,
            "InvalidMarkerException",
            "The request was rejected because the marker that specifies where pagination should next begin is not valid.");
    }

    public static TheoryData<string, string[], string> BadTags() => new()
    {
        { "aws: prefix", ["aws:owner", "x"], "Tags beginning with aws: are reserved" },
        { "AWS: prefix in capitals", ["AWS:owner", "x"], "Tags beginning with aws: are reserved" },
        { "duplicate keys", ["team", "red", "team", "blue"], "Duplicate tag keys" },
        { "51 tags", Enumerable.Range(0, 51).SelectMany(i => new[] { $"k{i}", "v" }).ToArray(), "Too many tags" },
    };

    [Theory]
    [MemberData(nameof(BadTags))]
    public async Task CreateKey_with_bad_tags_fails_with_Tag(string why, string[] tags, string message)
    {
        _ = why;

        var act = () => _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags(tags) });

        await Kms.FailsAsync<TagException>(act, "TagException", message);
    }

    [Theory]
    [MemberData(nameof(BadTags))]
    public async Task TagResource_with_bad_tags_fails_with_Tag_and_changes_nothing(string why, string[] tags, string message)
    {
        _ = why;
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("keep", "me") })).KeyMetadata;

        var act = () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags(tags) });

        await Kms.FailsAsync<TagException>(act, "TagException", message);
        var listed = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });
        Assert.Equal(["keep"], listed.Tags.Select(t => t.TagKey));
    }

    [Fact]
    public async Task TagResource_that_would_take_a_key_past_50_tags_fails_with_Tag()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = Kms.Tags(Enumerable.Range(0, 48).SelectMany(i => new[] { $"k{i}", "v" }).ToArray()),
        })).KeyMetadata;

        var act = () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("k0", "replaced", "new1", "v", "new2", "v", "new3", "v") });

        await Kms.FailsAsync<TagException>(act, "TagException", "Too many tags");
    }

    [Fact]
    public async Task TagResource_up_to_exactly_50_tags_succeeds()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = Kms.Tags(Enumerable.Range(0, 48).SelectMany(i => new[] { $"k{i}", "v" }).ToArray()),
        })).KeyMetadata;

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("k0", "replaced", "new1", "v", "new2", "v") });

        var listed = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 50 });
        Assert.Equal(50, listed.Tags.Count);
        Assert.False(listed.Truncated);
    }

    [Fact]
    public async Task A_tag_key_longer_than_128_characters_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();
        var tagKey = new string('k', 129);

        var act = () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("ok", "v", tagKey, "v") });

        await Kms.FailsValidationAsync(
            act,
            $"1 validation error detected: Value '{tagKey}' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128");
    }

    [Fact]
    public async Task A_tag_value_longer_than_256_characters_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("k", new string('v', 257)) });

        await Kms.FailsValidationAsync(
            act,
            $"1 validation error detected: Value '{new string('v', 257)}' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256");
    }

    [Fact]
    public async Task TagResource_without_tags_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId });

        await Kms.FailsValidationAsync(act, "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    }

    [Fact]
    public async Task TagResource_of_a_disabled_key_is_allowed()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("state", "disabled") });

        var listed = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });
        Assert.Equal(["state"], listed.Tags.Select(t => t.TagKey));
    }
}
