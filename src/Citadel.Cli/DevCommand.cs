using System.CommandLine;
using Citadel.Server.Hosting;

namespace Citadel.Cli;

/// <summary>`citadel dev …`: talk to a running development server's test endpoints.</summary>
internal static class DevCommand
{
    public static Command Build()
    {
        var endpoint = new Option<string>("--endpoint")
        {
            Description = "The development server.",
            DefaultValueFactory = _ => "http://127.0.0.1:4599",
            Recursive = true,
        };

        var by = new Argument<string>("duration") { Description = "How far to move the clock: 366d, 12h, 30m, 90s, or 1.02:03:04." };
        var advance = new Command("advance-time", "Advance the server's key clock (rotation, deletion windows, expiry) and run the jobs that became due.") { by };
        advance.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(by)!;
            if (!Durations.TryParse(text, out _))
            {
                await Console.Error.WriteLineAsync($"citadel dev advance-time: '{text}' is not a duration; write it as 366d, 12h, 30m or 90s.");
                return 2;
            }

            return await PostAsync(parse.GetValue(endpoint)!, $"/_citadel/dev/advance-time?by={Uri.EscapeDataString(text)}", ct);
        });

        var reset = new Command("reset", "Delete every key, alias and tag and reset the clock: a fresh server, for test suites that want one per test. Identities stay.");
        reset.SetAction((parse, ct) => PostAsync(parse.GetValue(endpoint)!, "/_citadel/dev/reset", ct));

        var time = new Command("time", "Show the server's key clock and how far it was advanced.");
        time.SetAction(async (parse, ct) => await SendAsync(HttpMethod.Get, parse.GetValue(endpoint)!, "/_citadel/dev/time", ct));

        return new Command("dev", "Development-server helpers for tests (refused by production servers).")
        {
            endpoint, advance, reset, time,
        };
    }

    private static Task<int> PostAsync(string endpoint, string path, CancellationToken ct) => SendAsync(HttpMethod.Post, endpoint, path, ct);

    private static async Task<int> SendAsync(HttpMethod method, string endpoint, string path, CancellationToken ct)
    {
        using var http = new HttpClient();
        try
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, endpoint.TrimEnd('/') + path), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                await Console.Error.WriteLineAsync($"citadel dev: {endpoint} is not a development server (start it with `citadel serve --dev`).");
                return 1;
            }

            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"citadel dev: {(int)response.StatusCode} {body}");
                return 1;
            }

            Console.WriteLine(body);
            return 0;
        }
        catch (HttpRequestException exception)
        {
            await Console.Error.WriteLineAsync($"citadel dev: cannot reach {endpoint}: {exception.Message}. Is `citadel serve --dev` running there?");
            return 1;
        }
    }
}
