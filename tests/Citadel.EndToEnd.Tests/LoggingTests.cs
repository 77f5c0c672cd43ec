namespace Citadel.EndToEnd.Tests;

public sealed class LoggingTests
{
    [Fact]
    [Trait("Issue", "10")]
    public async Task At_the_default_log_level_requests_are_not_logged_line_by_line_but_at_debug_they_are()
    {
        foreach (var (level, logsRequests) in new[] { ("Information", false), ("Debug", true) })
        {
            var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-logging-" + Guid.NewGuid().ToString("N"));
            await using var server = new ServerProcess(dataDirectory, level);
            await server.StartAsync();
            using (var kms = server.Client())
            {
                var key = await kms.NewKeyAsync();
                for (var i = 0; i < 5; i++)
                {
                    await kms.EncryptAsync(key.KeyId, [(byte)i]);
                }
            }

            server.Kill();
            Assert.Contains(server.Output, line => line.Contains("Now listening on", StringComparison.Ordinal));
            Assert.Equal(logsRequests, server.Output.Any(line => line.Contains("Request finished", StringComparison.Ordinal)));
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
