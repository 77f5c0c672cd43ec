using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Citadel.Server.Hosting;
using Citadel.Server.Protocol;
using Citadel.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Citadel.Bench;

/// <summary>
/// A whole request in process: KmsEndpoint.HandleAsync on a DefaultHttpContext with an in-memory
/// body and response, against the real host (SQLite in a temp directory, the development
/// credentials, the load benchmark's key policy). <see cref="Harness"/> is what building the
/// context costs; Encrypt minus Harness is the allocation per request excluding Kestrel's.
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks : IDisposable
{
    private readonly MemoryStream _response = new(4096);
    private string _dataDirectory = "";
    private WebApplication _app = null!;
    private KmsEndpoint _endpoint = null!;
    private SignedRequest _encrypt = null!;
    private SignedRequest _decrypt = null!;
    private SignedRequest _generateDataKey = null!;

    /// <summary>Durable auditing (a SQLite commit per request, since requests here come one at a time) or none.</summary>
    [Params(false, true)]
    public bool Audit { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("citadel-bench-").FullName;
        var settings = new ServerSettings
        {
            Storage = SqliteStorageProvider.Instance,
            Development = true,
            DataDirectory = _dataDirectory,
            Listen = "127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            Audit = { Enabled = Audit },
        };
        _app = await CitadelHost.BuildAsync(settings);
        await _app.StartAsync();
        _endpoint = _app.Services.GetRequiredService<KmsEndpoint>();

        var policy = JsonSerializer.Serialize(LoadPolicy.Text("111122223333"), BenchJsonContext.Default.String);
        using var created = JsonDocument.Parse(await SendAsync(SignedRequest.Create("CreateKey", $$"""{"Description":"bench","Policy":{{policy}}}""")));
        var arn = created.RootElement.GetProperty("KeyMetadata").GetProperty("Arn").GetString();
        const string context = """{"app":"billing","tenant":"t-0042"}""";
        var plaintext = Convert.ToBase64String(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        _encrypt = SignedRequest.Create("Encrypt", $$"""{"KeyId":"{{arn}}","Plaintext":"{{plaintext}}","EncryptionContext":{{context}}}""");
        using var encrypted = JsonDocument.Parse(await SendAsync(_encrypt));
        var blob = encrypted.RootElement.GetProperty("CiphertextBlob").GetString();
        _decrypt = SignedRequest.Create("Decrypt", $$"""{"CiphertextBlob":"{{blob}}","EncryptionContext":{{context}}}""");
        _generateDataKey = SignedRequest.Create("GenerateDataKey", $$"""{"KeyId":"{{arn}}","KeySpec":"AES_256","EncryptionContext":{{context}}}""");
        await SendAsync(_decrypt);
        await SendAsync(_generateDataKey);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        if (_app is not null)
        {
            _app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)_app).Dispose();
            _app = null!;
        }

        _response.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Only the DefaultHttpContext, body stream and pipes that the other benchmarks build; no request handling.</summary>
    [Benchmark(Baseline = true)]
    public PipeTouch Harness()
    {
        _response.SetLength(0);
        var http = _encrypt.ToHttpContext(_response);
        return new PipeTouch(http.Request.BodyReader, http.Response.BodyWriter);
    }

    [Benchmark]
    public Task Encrypt() => HandleAsync(_encrypt);

    [Benchmark]
    public Task Decrypt() => HandleAsync(_decrypt);

    [Benchmark]
    public Task GenerateDataKey() => HandleAsync(_generateDataKey);

    private Task HandleAsync(SignedRequest request)
    {
        _response.SetLength(0);
        return _endpoint.HandleAsync(request.ToHttpContext(_response));
    }

    private async Task<string> SendAsync(SignedRequest request)
    {
        _response.SetLength(0);
        var http = request.ToHttpContext(_response);
        await _endpoint.HandleAsync(http);
        var body = Encoding.UTF8.GetString(_response.ToArray());
        if (http.Response.StatusCode != 200)
        {
            throw new InvalidOperationException($"{request.Target} answered {http.Response.StatusCode}: {body}");
        }

        return body;
    }

    public readonly record struct PipeTouch(System.IO.Pipelines.PipeReader Reader, System.IO.Pipelines.PipeWriter Writer);
}
