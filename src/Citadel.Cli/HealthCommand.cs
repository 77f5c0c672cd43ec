using System.CommandLine;
using System.Net;

namespace Citadel.Cli;

/// <summary>
/// `citadel health`: asks a running server's /health, for container health checks (the image has no
/// curl). Exit code 0 when it answers 200, 1 otherwise.
/// </summary>
internal static class HealthCommand
{
    public static Command Build()
    {
        var endpoint = new Option<string>("--endpoint")
        {
            Description = "The server, as clients reach it (http://127.0.0.1:4599, or https://localhost:4599 with TLS). " +
                "Over https to a loopback address the certificate is not checked: the probe sends nothing and reads only the status.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CITADEL_HEALTH_ENDPOINT") ?? "http://127.0.0.1:4599",
        };
        var path = new Option<string>("--path")
        {
            Description = "The health route to ask.",
            DefaultValueFactory = _ => "/health",
        };
        var command = new Command("health", "Check that a running server answers its health route (exit code 0 if it does, 1 if not): the container image's HEALTHCHECK.")
        {
            endpoint, path,
        };
        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(endpoint)!.TrimEnd('/') + parse.GetValue(path);
            if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                await Console.Error.WriteLineAsync($"citadel health: '{target}' is not an http:// or https:// address.");
                return 2;
            }

            using var handler = new SocketsHttpHandler();
            if (uri.Scheme == "https" && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address))))
            {
                // The server's own certificate names the public host, not localhost: a loopback probe that
                // sends nothing and reads only the status has no identity to check.
#pragma warning disable CA5359
                handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
            }

            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                using var response = await http.GetAsync(uri, ct);
                var body = (await response.Content.ReadAsStringAsync(ct)).Trim();
                Console.WriteLine($"{(int)response.StatusCode} {body}");
                return response.StatusCode == HttpStatusCode.OK ? 0 : 1;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                await Console.Error.WriteLineAsync($"citadel health: cannot reach {uri}: {exception.Message}");
                return 1;
            }
        });
        return command;
    }
}
