using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A client that promises more body than it sends (a slow or stalled client, or one that gives up half-way) is a client's
/// fault: a 4xx with an AWS error body, logged once per request below the warning level and without a stack trace — never a
/// 500 and an error-level trace per request (a log flood anyone can cause). Kestrel's minimum body data rate (240 bytes/s
/// after a 5 s grace period) decides when a body is too slow.
/// </summary>
[Trait("Issue", "16")]
public sealed class IncompleteBodyTests
{
    private const string Partial = "{\"Limit\":";

    [Fact]
    public async Task A_body_shorter_than_its_Content_Length_fails_with_408_RequestTimeout_logged_once_at_debug_without_a_stack_trace()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-slow-body-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, logLevel: "Debug");
        await server.StartAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SendShortBodyAsync(server.Endpoint, closeAfterSending: false)));

        Assert.All(answers, answer =>
        {
            Assert.True(answer.Status == 408, $"Expected 408, got {answer.Status}: {answer.Body}");
            using var json = JsonDocument.Parse(answer.Body);
            Assert.Equal("RequestTimeoutException", json.RootElement.GetProperty("__type").GetString());
            Assert.Equal("The request body did not arrive in time: fewer bytes than its Content-Length were received.", json.RootElement.GetProperty("message").GetString());
        });
        await AssertLoggedOnceEachAtDebugAsync(server, dataDirectory, requests: 3);
    }

    [Fact]
    public async Task A_body_cut_short_by_a_client_that_closes_its_side_is_not_answered_and_not_logged_above_debug()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-short-body-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, logLevel: "Debug");
        await server.StartAsync();

        // Kestrel takes the client's FIN for the connection's end (RequestAborted): there is no one left to answer.
        var answer = await SendShortBodyAsync(server.Endpoint, closeAfterSending: true);

        Assert.Equal(0, answer.Status);
        await AssertLoggedOnceEachAtDebugAsync(server, dataDirectory, requests: 0);
    }

    /// <summary>Announces 100 bytes, sends 9, then waits (or shuts its sending side) and reads the whole answer (status 0: none).</summary>
    private static async Task<(int Status, string Body)> SendShortBodyAsync(string endpoint, bool closeAfterSending)
    {
        var uri = new Uri(endpoint);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var stream = client.GetStream();
        var head = $"POST / HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.ListKeys\r\n"
            + $"Content-Length: 100\r\nConnection: close\r\n\r\n{Partial}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        if (closeAfterSending)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        if (text.Length == 0)
        {
            return (0, "");
        }

        Assert.StartsWith("HTTP/1.1 ", text, StringComparison.Ordinal);
        var status = int.Parse(text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return (status, body);
    }

    private static async Task AssertLoggedOnceEachAtDebugAsync(ServerProcess server, string dataDirectory, int requests)
    {
        using (var kms = server.Client())
        {
            // The server still answers.
            await kms.ListKeysAsync(new Amazon.KeyManagementService.Model.ListKeysRequest());
        }

        server.Kill();
        var lines = server.Output.ToList();
        Assert.DoesNotContain(lines, l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal) || l.Contains(" warn: ", StringComparison.Ordinal));

        // Kestrel's own debug line carries its exception; ours is one line, without one.
        var ours = lines.Where(l => l.Contains("KmsEndpoint[1013]", StringComparison.Ordinal)).ToList();
        Assert.Equal(requests, ours.Count);
        Assert.All(ours, l => Assert.Contains(" dbug: ", l, StringComparison.Ordinal));
        Assert.All(ours, l => Assert.DoesNotContain("Exception:", l, StringComparison.Ordinal));
        Directory.Delete(dataDirectory, recursive: true);
    }
}
