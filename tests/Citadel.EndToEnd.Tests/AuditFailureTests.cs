using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Microsoft.Data.Sqlite;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Every request that reached an identity leaves exactly one audit event, also when it fails inside the
/// server: the event records KMSInternalException with the message the client got, never the exception's text.
/// </summary>
[Trait("Issue", "17")]
public sealed class AuditFailureTests
{
    [Fact]
    public async Task A_request_whose_store_call_throws_answers_500_and_leaves_one_KMSInternalException_event_without_the_exception_text()
    {
        var log = new CapturedLog();
        await using var server = await CitadelServer.StartAsync(services: services =>
        {
            FaultyStore.Failing("CreateKeyAsync")(services);
            log.Register(services);
        });
        using var kms = server.Client();

        var failure = await Assert.ThrowsAsync<KMSInternalException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Description = "never created" }));
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<KMSInternalException>(() => kms.CreateKeyAsync(new CreateKeyRequest()));
        }

        Assert.Equal(500, (int)failure.StatusCode);
        Assert.Equal($"An internal error occurred. Request id: {failure.RequestId}", failure.Message);
        var record = await SingleEventAsync(server.Endpoint, "CreateKey", failure.RequestId);
        Assert.Equal("KMSInternalException", record.GetProperty("errorCode").GetString());
        Assert.Equal($"An internal error occurred. Request id: {failure.RequestId}", record.GetProperty("errorMessage").GetString());
        Assert.Equal("arn:aws:iam::111122223333:root", record.GetProperty("userIdentity").GetProperty("arn").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("responseElements").ValueKind);
        Assert.DoesNotContain("citadel-private", record.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(5, (await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "CreateKey"))).Count);
        // Five failures in a row (as in an outage): one error with its stack trace, the rest at Debug.
        var logged = Assert.Single(log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Equal($"Request {failure.RequestId} (CreateKey) failed with an internal error", logged.Message);
        Assert.Equal(FaultyStore.Detail, logged.Exception?.Message);
    }

    [Fact]
    public async Task Decrypt_of_a_key_whose_sealed_material_was_damaged_answers_500_and_leaves_exactly_one_event()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-audit-damaged-" + Guid.NewGuid().ToString("N"));
        byte[] ciphertext;
        string keyArn;
        await using (var first = await CitadelServer.StartAsync(dataDirectory))
        {
            using var kms = first.Client();
            var key = await kms.NewKeyAsync();
            keyArn = key.Arn;
            ciphertext = (await kms.EncryptAsync(key.KeyId, [1, 2, 3])).CiphertextBlob.ToArray();
        }

        await using (var connection = TamperTrail.Open(dataDirectory))
        await using (var command = connection.CreateCommand())
        {
            // The sealed material overwritten with zeros: AES-GCM under the root key refuses it.
            command.CommandText = "UPDATE key_materials SET sealed_material = zeroblob(length(sealed_material)) WHERE key_id = $id;";
            command.Parameters.AddWithValue("$id", keyArn[(keyArn.LastIndexOf('/') + 1)..]);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var server = await CitadelServer.StartAsync(dataDirectory);
        try
        {
            using var after = server.Client();

            var failure = await Assert.ThrowsAsync<KMSInternalException>(() => after.DecryptAsync(ciphertext));

            Assert.Equal(500, (int)failure.StatusCode);
            var record = await SingleEventAsync(server.Endpoint, "Decrypt", failure.RequestId);
            Assert.Equal("KMSInternalException", record.GetProperty("errorCode").GetString());
            Assert.Equal($"An internal error occurred. Request id: {failure.RequestId}", record.GetProperty("errorMessage").GetString());
            Assert.Equal(keyArn, record.GetProperty("resources")[0].GetProperty("ARN").GetString());
        }
        finally
        {
            await server.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_request_whose_client_goes_away_while_the_store_hangs_leaves_one_event()
    {
        await using var server = await CitadelServer.StartAsync(services: FaultyStore.Hanging("CreateKeyAsync"));

        // One request, given up after 500 ms. A raw signed request, not the SDK: the SDK sent a timed-out
        // request again now and then (MaxErrorRetry = 0 notwithstanding), and this test counts events.
        using var patience = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            SignedHttp.SendAsync(server.Endpoint, "TrentService.CreateKey", "{}"u8.ToArray(), cancellation: patience.Token));

        JsonElement record = default;
        for (var attempt = 0; attempt < 50 && record.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            var events = await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "CreateKey"));
            record = events.Count == 0 ? default : CloudTrail.Record(Assert.Single(events));
            await Task.Delay(record.ValueKind == JsonValueKind.Undefined ? 100 : 0);
        }

        Assert.Equal("KMSInternalException", record.GetProperty("errorCode").GetString());
        Assert.Equal("The request was canceled: the client closed the connection before it was answered.", record.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_principal_refused_to_act_on_behalf_of_another_leaves_one_AccessDenied_event()
    {
        await using var server = await CitadelServer.StartAsync();

        var (status, body, response) = await SignedHttp.SendAsync(
            server.Endpoint,
            "TrentService.ListKeys",
            "{}"u8.ToArray(),
            headers: new Dictionary<string, string> { ["X-Citadel-On-Behalf-Of"] = "arn:aws:iam::111122223333:user/someone" });

        using (response)
        {
            Assert.Equal(400, status);
            Assert.Contains("AccessDeniedException", body, StringComparison.Ordinal);
            var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
            var record = await SingleEventAsync(server.Endpoint, "ListKeys", requestId);
            Assert.Equal("AccessDeniedException", record.GetProperty("errorCode").GetString());
            Assert.Equal("arn:aws:iam::111122223333:root", record.GetProperty("userIdentity").GetProperty("arn").GetString());
        }
    }

    /// <summary>The one event of a request, found among the events of its operation by request id.</summary>
    private static async Task<JsonElement> SingleEventAsync(string endpoint, string eventName, string requestId)
    {
        var events = await CloudTrail.LookupAllAsync(endpoint, CloudTrail.Attribute("EventName", eventName));
        return Assert.Single(events.Select(CloudTrail.Record), record => CloudTrail.RequestId(record) == requestId);
    }
}
