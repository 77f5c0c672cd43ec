using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Citadel.Server.SigV4;

namespace Citadel.Bench;

/// <summary>
/// Encrypt throughput of running servers: creates a key through the first endpoint, then replays one
/// signed Encrypt request per endpoint from many workers, spread over the endpoints, for a fixed time.
/// Signing once keeps the load generator's CPU out of the measurement (SigV4 allows replays within
/// the clock skew). Loopback only, bounded in time.
/// <code>dotnet run -c Release --project bench/Citadel.Bench -- encrypt-load --seconds 10 --concurrency 32 http://127.0.0.1:4599 [http://127.0.0.1:4600 …]</code>
/// </summary>
internal static class EncryptLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = 10;
        var concurrency = 32;
        var endpoints = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds":
                    seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--concurrency":
                    concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    endpoints.Add(args[i].TrimEnd('/'));
                    break;
            }
        }

        if (endpoints.Count == 0 || endpoints.Any(e => !new Uri(e).IsLoopback))
        {
            Console.Error.WriteLine("encrypt-load: give one or more loopback endpoints, e.g. http://127.0.0.1:4599");
            return 2;
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });
        var created = await SendAsync(http, Signed(endpoints[0], "TrentService.CreateKey", "{}"u8.ToArray()));
        using var document = JsonDocument.Parse(created);
        var keyId = document.RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString();
        var body = Encoding.UTF8.GetBytes($$"""{"KeyId":"{{keyId}}","Plaintext":"{{Convert.ToBase64String(new byte[64])}}"}""");
        var requests = endpoints.Select(e => Signed(e, "TrentService.Encrypt", body)).ToArray();

        // Warm up every node (caches, JIT), then measure.
        foreach (var request in requests)
        {
            await SendAsync(http, request);
        }

        long ok = 0, failed = 0;
        var stopwatch = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var template = requests[worker % requests.Length];
            while (stopwatch.Elapsed < deadline)
            {
                using var message = template.Create();
                using var response = await http.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref response.IsSuccessStatusCode ? ref ok : ref failed);
            }
        }));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"endpoints {endpoints.Count}  concurrency {concurrency}  seconds {elapsed:F1}  ok {ok}  failed {failed}  encrypt/s {ok / elapsed:F0}"));
        return failed == 0 ? 0 : 1;
    }

    private static async Task<string> SendAsync(HttpClient http, SignedRequest request)
    {
        using var message = request.Create();
        using var response = await http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
        }

        return text;
    }

    private static SignedRequest Signed(string endpoint, string target, byte[] body)
    {
        var uri = new Uri(endpoint + "/");
        var amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = uri.Authority,
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = target,
        };
        var names = headers.Keys.ToList();
        var canonical = SigV4Canonical.CanonicalRequest("POST", "/", "", names, n => headers[n], SigV4Canonical.HexSha256(body));
        var scope = $"{amzDate[..8]}/us-east-1/kms/aws4_request";
        var signature = SigV4Canonical.Signature(SigV4Canonical.SigningKey("test"u8.ToArray(), amzDate[..8], "us-east-1", "kms"), SigV4Canonical.StringToSign(amzDate, scope, canonical));
        return new SignedRequest(uri, body, amzDate, target, $"AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={string.Join(';', names)}, Signature={signature}");
    }

    private sealed record SignedRequest(Uri Uri, byte[] Body, string AmzDate, string Target, string Authorization)
    {
        public HttpRequestMessage Create()
        {
            var message = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new ByteArrayContent(Body) };
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
            message.Headers.TryAddWithoutValidation("X-Amz-Date", AmzDate);
            message.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
            message.Headers.TryAddWithoutValidation("Authorization", Authorization);
            return message;
        }
    }
}
