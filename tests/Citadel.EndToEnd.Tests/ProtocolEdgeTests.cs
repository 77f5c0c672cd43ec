using System.Text.Json;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The edges of the AWS JSON 1.1 protocol, in the one place every operation goes through: a body that is JSON but not
/// an object or that gives a member twice, and what the server answers for it.
/// </summary>
[Collection("server")]
[Trait("Issue", "16")]
public sealed class ProtocolEdgeTests(ServerFixture fixture)
{
    private string Endpoint => fixture.Server.Endpoint;

    public static TheoryData<string, string> TopLevelValues()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in new[] { "CreateKey", "ListKeys", "DescribeKey", "Encrypt", "GenerateRandom", "ListAliases", "CreateGrant", "TagResource" })
        {
            foreach (var body in new[] { "null", " null ", "[]", "[{}]", "1", "\"x\"", "true" })
            {
                data.Add("TrentService." + target, body);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TopLevelValues))]
    public async Task A_body_that_is_JSON_but_not_an_object_fails_with_SerializationException_and_changes_nothing(string target, string body)
    {
        var keysBefore = await CountKeysAsync();

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, target, body);

        Assert.True(status == 400, $"Expected 400, got {status}: {text}");
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        using var json = JsonDocument.Parse(text);
        Assert.Equal("SerializationException", json.RootElement.GetProperty("__type").GetString());
        Assert.Equal("Could not read the request body at '$': the value is not of the type the operation expects.", json.RootElement.GetProperty("message").GetString());
        Assert.Equal(keysBefore, await CountKeysAsync());
    }

    /// <summary>
    /// A member given twice: the deserializer would act on one value while the audit trail recorded both, so what
    /// is recorded would not be what was done (a request could show an innocent key id beside the one it used).
    /// </summary>
    [Theory]
    [InlineData("{\"KeyId\":\"alias/aws/ebs\",\"KeyId\":\"KEY\",\"Plaintext\":\"AA==\"}")]
    [InlineData("{\"KeyId\":\"KEY\",\"Plaintext\":\"AA==\",\"EncryptionContext\":{\"a\":\"1\",\"a\":\"2\"}}")]
    public async Task A_member_or_map_key_given_twice_fails_with_SerializationException(string body)
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, _) = await SignedHttp.SendAsync(Endpoint, "TrentService.Encrypt", body.Replace("KEY", key.KeyId, StringComparison.Ordinal));

        Assert.True(status == 400, $"Expected 400, got {status}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("SerializationException", json.RootElement.GetProperty("__type").GetString());
    }

    private async Task<int> CountKeysAsync()
    {
        var count = 0;
        string? marker = null;
        do
        {
            var page = await fixture.Kms.ListKeysAsync(new ListKeysRequest { Marker = marker, Limit = 1000 });
            count += page.Keys.Count;
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        return count;
    }
}
