using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Citadel.Core.Crypto;
using Citadel.Server.Identity;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// CloudTrail's LookupEvents through raw SigV4 requests (service "cloudtrail"): AWSSDK.CloudTrail is not in
/// the package source, and the wire is plain JSON 1.1.
/// </summary>
public static class CloudTrail
{
    public const string LookupEventsTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

    /// <summary>One LookupEvents call; <see cref="LookupResult.Body"/> is the parsed response or error body.</summary>
    public static async Task<LookupResult> LookupAsync(string endpoint, JsonObject request, string accessKeyId = "test", string secret = "test")
    {
        var (status, body, response) = await SignedHttp.SendAsync(
            endpoint,
            LookupEventsTarget,
            Encoding.UTF8.GetBytes(request.ToJsonString()),
            accessKeyId,
            secret,
            service: "cloudtrail");
        response.Dispose();
        using var document = JsonDocument.Parse(body);
        return new LookupResult(status, document.RootElement.Clone());
    }

    /// <summary>Every event matching <paramref name="request"/>, following NextToken, in the order returned.</summary>
    public static async Task<List<JsonElement>> LookupAllAsync(string endpoint, JsonObject request, string accessKeyId = "test", string secret = "test")
    {
        var events = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = (JsonObject)request.DeepClone();
            if (token is not null)
            {
                page["NextToken"] = token;
            }

            var result = await LookupAsync(endpoint, page, accessKeyId, secret);
            Assert.Equal(200, result.Status);
            events.AddRange(result.Events);
            token = result.NextToken;
        }
        while (token is not null);

        return events;
    }

    /// <summary>A request with one lookup attribute (and optional extra members).</summary>
    public static JsonObject Attribute(string key, string value) => new()
    {
        ["LookupAttributes"] = new JsonArray(new JsonObject { ["AttributeKey"] = key, ["AttributeValue"] = value }),
    };

    /// <summary>Epoch seconds with milliseconds, as the AWS CLI sends timestamps in JSON 1.1.</summary>
    public static double EpochSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>The parsed CloudTrailEvent (the full record) of one LookupEvents entry.</summary>
    public static JsonElement Record(JsonElement lookupEvent)
    {
        using var document = JsonDocument.Parse(lookupEvent.GetProperty("CloudTrailEvent").GetString()!);
        return document.RootElement.Clone();
    }

    public static string? RequestId(JsonElement record) =>
        record.TryGetProperty("requestID", out var id) ? id.GetString() : null;

    /// <summary>Whether <paramref name="actual"/> is the same JSON value as <paramref name="expectedJson"/> (member order ignored).</summary>
    public static void JsonEqual(string expectedJson, JsonElement actual) =>
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(expectedJson), JsonNode.Parse(actual.GetRawText())),
            $"Expected {expectedJson}{Environment.NewLine}but was {actual.GetRawText()}");

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A LookupEvents response (or error) as the client saw it.</summary>
public sealed record LookupResult(int Status, JsonElement Body)
{
    public IReadOnlyList<JsonElement> Events => Body.TryGetProperty(nameof(Events), out var events) ? events.EnumerateArray().ToList() : [];

    public string? NextToken => Body.TryGetProperty(nameof(NextToken), out var token) ? token.GetString() : null;

    public string? ErrorType => Body.TryGetProperty("__type", out var type) ? type.GetString() : null;

    public string? ErrorMessage => Body.TryGetProperty("message", out var message) ? message.GetString() : null;
}

/// <summary>An IAM user made through <see cref="IdentityAdmin"/>, with its access key.</summary>
public sealed record TestUser(string Name, string Arn, string PrincipalId, string AccessKeyId, string Secret);

public static class Users
{
    /// <summary>
    /// Creates an IAM user in <paramref name="accountId"/> with an access key and, if given, an identity policy, and
    /// waits until the server accepts the key (identity caches refresh within a second).
    /// </summary>
    public static async Task<TestUser> CreateUserAsync(this CitadelServer server, string name, string? policy = null, string accountId = Kms.Account)
    {
        var admin = new IdentityAdmin(server.Services.GetRequiredService<IStore>(), server.Services.GetRequiredService<ISeal>(), TimeProvider.System);
        var user = await CreateUserAsync(admin, name, policy, accountId);
        await WaitUntilAcceptedAsync(server.Endpoint, user);
        return user;
    }

    public static async Task<TestUser> CreateUserAsync(IdentityAdmin admin, string name, string? policy, string accountId = Kms.Account)
    {
        if (accountId != Kms.Account)
        {
            await admin.CreateAccountAsync(accountId, CancellationToken.None);
        }

        var principal = (await admin.CreatePrincipalAsync(accountId, name, Core.Identity.PrincipalType.IamUser, CancellationToken.None)).Value;
        var key = (await admin.CreateAccessKeyAsync(principal.Arn, CancellationToken.None)).Value;
        if (policy is not null)
        {
            Assert.True((await admin.AttachPolicyAsync(principal.Arn, "test-policy", policy, CancellationToken.None)).IsSuccess);
        }

        return new TestUser(name, principal.Arn, principal.PrincipalId, key.AccessKeyId, key.SecretAccessKey);
    }

    /// <summary>An identity policy allowing <paramref name="actions"/> on every resource.</summary>
    public static string Allow(params string[] actions) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[{{string.Join(',', actions.Select(a => $"\"{a}\""))}}],"Resource":"*"}]}""";

    public static async Task WaitUntilAcceptedAsync(string endpoint, TestUser user) =>
        await Kms.EventuallyAsync(
            async () =>
            {
                // LookupEvents is not itself recorded, so probing with it leaves the trail as it was; any answer but
                // UnrecognizedClientException (AccessDeniedException included) means the server knows the key.
                var result = await CloudTrail.LookupAsync(endpoint, new JsonObject { ["MaxResults"] = 1 }, user.AccessKeyId, user.Secret);
                return result.ErrorType != "UnrecognizedClientException";
            },
            $"the server accepts the access key of {user.Name}");

    public static AmazonKeyManagementServiceClient Client(this CitadelServer server, TestUser user) => server.Client(user.AccessKeyId, user.Secret);
}
