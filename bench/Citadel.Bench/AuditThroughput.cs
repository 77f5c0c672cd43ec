using System.Diagnostics;
using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Citadel.Server.Hosting;
using Citadel.Storage.Sqlite;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Bench;

/// <summary>
/// Encrypt throughput through the AWS SDK against an in-process development server, with the audit trail on
/// and off (issue 4): dotnet run -c Release --project bench/Citadel.Bench -- audit-throughput [seconds] [concurrency] [rounds]
/// </summary>
internal static class AuditThroughput
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        Console.WriteLine($"Encrypt, 32-byte plaintext, {concurrency} concurrent SDK callers, {seconds} s per run, {Environment.ProcessorCount} cores");
        for (var round = 0; round < rounds; round++)
        {
            foreach (var audit in new[] { true, false })
            {
                var (requests, elapsed) = await MeasureAsync(audit, TimeSpan.FromSeconds(seconds), concurrency);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"audit {(audit ? "on " : "off")}: {requests,8} requests in {elapsed.TotalSeconds:0.00} s = {requests / elapsed.TotalSeconds,8:0} req/s"));
            }
        }
    }

    private static async Task<(long Requests, TimeSpan Elapsed)> MeasureAsync(bool audit, TimeSpan duration, int concurrency)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-bench-" + Guid.NewGuid().ToString("N"));
        var settings = new ServerSettings
        {
            Storage = SqliteStorageProvider.Instance,
            Development = true,
            DataDirectory = dataDirectory,
            Listen = "127.0.0.1:0",
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        settings.Audit.Enabled = audit;
        await using var app = await CitadelHost.BuildAsync(settings);
        await app.StartAsync();
        try
        {
            var endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var kms = new AmazonKeyManagementServiceClient(
                new BasicAWSCredentials("test", "test"),
                new AmazonKeyManagementServiceConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
            var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            var plaintext = new byte[32];

            // Warm up (JIT, connection pool, key cache) for a second before measuring.
            await LoadAsync(kms, keyId, plaintext, TimeSpan.FromSeconds(1), concurrency);
            var clock = Stopwatch.StartNew();
            var requests = await LoadAsync(kms, keyId, plaintext, duration, concurrency);
            return (requests, clock.Elapsed);
        }
        finally
        {
            await app.StopAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<long> LoadAsync(AmazonKeyManagementServiceClient kms, string keyId, byte[] plaintext, TimeSpan duration, int concurrency)
    {
        long requests = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext) });
                Interlocked.Increment(ref requests);
            }
        }));
        await Task.WhenAll(workers);
        return requests;
    }
}
