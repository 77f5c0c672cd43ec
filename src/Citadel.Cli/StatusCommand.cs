using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Citadel.Server.Hosting;

namespace Citadel.Cli;

/// <summary>`citadel status`: ask a running server whether it is ready, and print its details (GET /health/ready).</summary>
internal static class StatusCommand
{
    private const string DefaultEndpoint = "http://127.0.0.1:4599";

    public static Command Build()
    {
        var endpoint = new Option<string?>("--endpoint")
        {
            Description = $"The server to ask. Defaults to the listen address of --config (0.0.0.0 asked on 127.0.0.1), else {DefaultEndpoint}. " +
                "The details (version, storage, node id, audit lag, cluster) are given only to a caller on the server's machine.",
        };
        var config = new Option<string?>("--config")
        {
            Description = "The server's configuration file, to find its listen address. Nothing else is read from it.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print the server's answer as it came (JSON), for scripts.",
        };
        var command = new Command("status", "Show whether a running server is ready (storage, seal, audit writer) with its version, storage, seal, node id, audit lag and, on PostgreSQL, the nodes of the cluster. Exit code 0 ready, 1 not ready, 2 no answer.")
        {
            endpoint, config, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            string target;
            try
            {
                target = parse.GetValue(endpoint) ?? (parse.GetValue(config) is { } path ? FromListen(ConfigFile.Load(path, Environment.GetEnvironmentVariable).Listen) : DefaultEndpoint);
            }
            catch (InvalidOperationException exception)
            {
                await Console.Error.WriteLineAsync($"citadel status: {exception.Message}");
                return 2;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string body;
            HttpStatusCode status;
            try
            {
                using var response = await http.GetAsync(target.TrimEnd('/') + "/health/ready", ct);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync(ct);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"citadel status: no server answers at {target} ({exception.Message}): start one (citadel serve) or give its address with --endpoint.");
                return 2;
            }

            if (status is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable) || !TryParse(body, out var answer))
            {
                await Console.Error.WriteLineAsync($"citadel status: {target} answered {(int)status} to GET /health/ready, not a Citadel server's readiness: check --endpoint.");
                return 2;
            }

            using (answer)
            {
                Console.Write(parse.GetValue(json) ? body + "\n" : Format(target, answer.RootElement));
                return status == HttpStatusCode.OK ? 0 : 1;
            }
        });
        return command;
    }

    /// <summary>The URL to ask a server listening on <paramref name="listen"/>: a wildcard address is asked on loopback.</summary>
    internal static string FromListen(string listen)
    {
        if (!IPEndPoint.TryParse(listen, out var endpoint))
        {
            return $"http://{listen}";
        }

        var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : endpoint.Address;
        return $"http://{new IPEndPoint(address, endpoint.Port)}";
    }

    private static bool TryParse(string body, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out _);
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
    }

    internal static string Format(string target, JsonElement answer)
    {
        var text = new StringBuilder();
        var ready = answer.GetProperty("status").GetString() == "ready";
        var version = answer.TryGetProperty("version", out var v) ? $" {v.GetString()}" : "";
        text.Append($"Citadel{version} at {target}: {(ready ? "ready" : "NOT READY")}\n");
        var checks = answer.GetProperty("checks");
        Line(text, "storage", checks.GetProperty("storage").GetString(), Detail(answer, "storage", "storageLocation"));
        Line(text, "seal", checks.GetProperty("seal").GetString(), Detail(answer, "seal"));
        var lag = answer.TryGetProperty("auditLag", out var l) ? $"{l.GetInt64()} events not yet in the queryable trail" : "";
        if (answer.TryGetProperty("auditEnabled", out var enabled) && !enabled.GetBoolean())
        {
            lag = "auditing is off (--no-audit)";
        }

        Line(text, "audit", checks.GetProperty("audit").GetString(), lag);
        if (!answer.TryGetProperty("nodeId", out var node))
        {
            text.Append("  (details are given only to a caller on the server's machine)\n");
            return text.ToString();
        }

        text.Append($"  node id   {node.GetString()}\n");
        if (answer.TryGetProperty("cluster", out var cluster))
        {
            var nodes = cluster.EnumerateArray().ToList();
            text.Append($"  cluster   {nodes.Count} node(s) connected to the database\n");
            foreach (var member in nodes)
            {
                var marks = (member.GetProperty("runsJobs").GetBoolean() ? "  runs the jobs" : "") + (member.GetProperty("self").GetBoolean() ? "  (this node)" : "");
                text.Append($"    {member.GetProperty("nodeId").GetString()}  {member.GetProperty("address").GetString()}  since {member.GetProperty("since").GetString()}{marks}\n");
            }
        }

        return text.ToString();
    }

    private static string Detail(JsonElement answer, params string[] names) =>
        string.Join(" ", names.Select(n => answer.TryGetProperty(n, out var value) ? value.GetString() : null).Where(s => s is not null));

    private static void Line(StringBuilder text, string name, string? check, string detail)
    {
        text.Append($"  {name,-9} {(check == "ok" ? "ok" : "DOWN: " + check)}");
        text.Append(detail.Length > 0 ? $"  ({detail})\n" : "\n");
    }
}
