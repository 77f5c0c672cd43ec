using System.Text;
using System.Text.Json;

namespace Citadel.EndToEnd.Tests.Monitoring;

/// <summary>The access log: one line per request in the category Citadel.Access, with names and codes, never a secret.</summary>
[Trait("Issue", "22")]
public sealed class AccessLogTests
{
    private const string Marker = "SECRET-MARKER";

    private static async Task<(ServerProcess Server, string KeyArn)> EncryptWithMarkersAsync(string dataDirectory, params string[] arguments)
    {
        var server = new ServerProcess(dataDirectory, "Information", arguments);
        await server.StartAsync();
        using var kms = server.Client();
        var key = await kms.NewKeyAsync();
        await kms.EncryptAsync(key.KeyId, Encoding.UTF8.GetBytes(Marker), new Dictionary<string, string> { ["tenant"] = Marker + "-CONTEXT" });
        await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.NotFoundException>(() => kms.EncryptAsync("alias/missing", [1]));

        // The line is written right after the answer: give it a moment before stopping the process.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Output.Count(l => l.Contains("Citadel.Access", StringComparison.Ordinal)) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        server.Kill();
        return (server, key.Arn);
    }

    [Fact]
    public async Task Each_request_writes_one_text_line_with_operation_status_error_duration_principal_and_key_and_no_secret()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-access-" + Guid.NewGuid().ToString("N"));
        var (server, keyArn) = await EncryptWithMarkersAsync(dataDirectory);
        await using (server)
        {
            var lines = server.Output.Where(l => l.Contains("Citadel.Access", StringComparison.Ordinal)).ToList();

            Assert.Equal(3, lines.Count);
            Assert.Matches(
                $@" info: Citadel\.Access\[4000\] Encrypt 200 - [0-9.]+ ms by arn:aws:iam::111122223333:root on {keyArn.Replace(".", @"\.", StringComparison.Ordinal)} request [0-9a-f-]{{36}}$",
                lines[1]);
            Assert.Matches(@" Encrypt 400 NotFoundException [0-9.]+ ms by arn:aws:iam::111122223333:root on - request [0-9a-f-]{36}$", lines[2]);
            AssertNoSecret(server);
        }

        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task With_json_logs_each_line_is_a_json_object_and_the_access_line_has_its_fields()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-access-json-" + Guid.NewGuid().ToString("N"));
        var (server, keyArn) = await EncryptWithMarkersAsync(dataDirectory, "--log-format", "json");
        await using (server)
        {
            var logs = server.Output.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var access = logs.Where(l => l.GetProperty("Category").GetString() == "Citadel.Access").ToList();

            Assert.Contains(logs, l => l.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime");
            Assert.Equal(3, access.Count);
            var state = access[1].GetProperty("State");
            Assert.Equal("Information", access[1].GetProperty("LogLevel").GetString());
            Assert.Equal(4000, access[1].GetProperty("EventId").GetInt32());
            Assert.Equal("Encrypt", state.GetProperty("Operation").GetString());
            Assert.Equal("200", state.GetProperty("Status").ToString());
            Assert.Equal("-", state.GetProperty("ErrorCode").GetString());
            Assert.Equal("arn:aws:iam::111122223333:root", state.GetProperty("PrincipalArn").GetString());
            Assert.Equal(keyArn, state.GetProperty("KeyArn").GetString());
            Assert.Matches("^[0-9a-f-]{36}$", state.GetProperty("RequestId").GetString());
            Assert.True(double.Parse(state.GetProperty("DurationMs").ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.Equal("NotFoundException", access[2].GetProperty("State").GetProperty("ErrorCode").GetString());
            AssertNoSecret(server);
        }

        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task With_no_access_log_requests_write_no_line_at_information()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-access-off-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, "Information", "--no-access-log");
        await server.StartAsync();
        using (var kms = server.Client())
        {
            await kms.EncryptAsync((await kms.NewKeyAsync()).KeyId, [1]);
        }

        await Task.Delay(200);
        server.Kill();

        Assert.Contains(server.Output, l => l.Contains("Now listening on", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Output, l => l.Contains("Citadel.Access", StringComparison.Ordinal));
        Directory.Delete(dataDirectory, recursive: true);
    }

    /// <summary>Neither the plaintext nor the encryption context, as sent or base64-encoded as on the wire.</summary>
    private static void AssertNoSecret(ServerProcess server)
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(Marker));
        Assert.DoesNotContain(server.Output, l => l.Contains(Marker, StringComparison.Ordinal) || l.Contains(base64, StringComparison.Ordinal) || l.Contains(base64.TrimEnd('='), StringComparison.Ordinal));
    }
}
