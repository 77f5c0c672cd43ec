using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Citadel.Tests.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Citadel.EndToEnd.Tests;

/// <summary>What the test proxy does with the next calls.</summary>
public enum ProxyMode
{
    /// <summary>Answers as the XKS proxy API specifies.</summary>
    Normal,

    /// <summary>Answers every call with AuthenticationFailedException (401), as for a credential it does not know.</summary>
    RefuseCredential,

    /// <summary>Answers nothing until the caller gives up.</summary>
    Slow,

    /// <summary>Answers encrypt with a ciphertext data integrity value that does not match its output.</summary>
    WrongIntegrityValue,

    /// <summary>Answers decrypt with another plaintext than the one the ciphertext holds (someone else's).</summary>
    ForeignPlaintext,
}

/// <summary>
/// A small XKS proxy written from AWS's XKS proxy API specification (v1), for the end-to-end tests: HTTPS on loopback with a
/// certificate for localhost from its own test CA, SigV4 verified independently of the server's code (service
/// kms-xks-proxy, SignedHeaders host;x-amz-date), AES-256-GCM keys that can be disabled, and modes that refuse, stall or lie.
/// It records the plaintexts it is asked to encrypt, so a test can see it never held the caller's plaintext.
/// </summary>
public sealed class TestXksProxy : IAsyncDisposable
{
    public const string AccessKeyId = "XKSTESTACCESSKEYID2345";
    public const string Secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0xMjM0NTY3ODk=";
    /// <summary>Where the API starts under any path prefix (a store per prefix).</summary>
    public const string ApiPath = "/kms/xks/v1/";

    private readonly ConcurrentDictionary<string, (byte[] Key, bool Enabled)> _keys = new();
    private readonly TestCa _ca = TestCa.Create("Test XKS proxy CA");
    private WebApplication? _app;

    private TestXksProxy(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The PEM file of the proxy's CA, for CustomKeyStores:TrustedCertificateAuthoritiesFile.</summary>
    public string CaFile => Path.Combine(Directory, "xks-ca.pem");

    public int Port { get; private set; }

    public ProxyMode Mode { get; set; }

    /// <summary>Every plaintext the proxy was asked to encrypt.</summary>
    public ConcurrentBag<byte[]> EncryptedPlaintexts { get; } = [];

    /// <summary>The requestMetadata of every call, as JSON.</summary>
    public ConcurrentQueue<string> Metadata { get; } = new();

    public static async Task<TestXksProxy> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "citadel-xks-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var proxy = new TestXksProxy(directory);
        await File.WriteAllTextAsync(proxy.CaFile, proxy._ca.Certificate.ExportCertificatePem());
        await proxy.ListenAsync(0);
        return proxy;
    }

    /// <summary>An enabled AES-256 external key with a new id.</summary>
    public string NewKey()
    {
        var id = "key-" + Guid.NewGuid().ToString("N");
        _keys[id] = (RandomNumberGenerator.GetBytes(32), true);
        return id;
    }

    public void SetEnabled(string id, bool enabled) => _keys[id] = (_keys[id].Key, enabled);

    /// <summary>Stops listening: connections are refused until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public Task StartAgainAsync() => ListenAsync(Port);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _ca.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task ListenAsync(int port)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = _ca.Issue(key);
        var certificate = X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.MapPost("/{**path}", HandleAsync);
        await app.StartAsync();
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _app = app;
    }

    private async Task HandleAsync(HttpContext http, string path)
    {
        var at = ("/" + path).IndexOf(ApiPath, StringComparison.Ordinal);
        if (at < 0)
        {
            await ErrorAsync(http, 404, "InvalidUriPathException");
            return;
        }

        var operation = ("/" + path)[(at + ApiPath.Length)..];
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var body = buffer.ToArray();
        if (!SignatureIsValid(http.Request, body))
        {
            await ErrorAsync(http, 401, "AuthenticationFailedException");
            return;
        }

        var request = JsonNode.Parse(body)!.AsObject();
        Metadata.Enqueue(request["requestMetadata"]!.ToJsonString());
        switch (Mode)
        {
            case ProxyMode.RefuseCredential:
                await ErrorAsync(http, 401, "AuthenticationFailedException");
                return;
            case ProxyMode.Slow:
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
        }

        if (operation == "health")
        {
            await JsonAsync(http, new JsonObject
            {
                ["xksProxyFleetSize"] = 1,
                ["xksProxyVendor"] = "Citadel tests",
                ["xksProxyModel"] = "TestXksProxy",
                ["ekmVendor"] = "Citadel tests",
                ["ekmFleetDetails"] = new JsonArray(new JsonObject { ["id"] = "ekm-1", ["model"] = "memory", ["healthStatus"] = "ACTIVE" }),
            });
            return;
        }

        var parts = operation.Split('/');
        if (parts is not ["keys", var keyId, var action] || !_keys.TryGetValue(keyId, out var external))
        {
            await ErrorAsync(http, 404, "KeyNotFoundException");
            return;
        }

        if (action == "metadata")
        {
            await JsonAsync(http, new JsonObject
            {
                ["keySpec"] = "AES_256",
                ["keyUsage"] = new JsonArray("ENCRYPT", "DECRYPT"),
                ["keyStatus"] = external.Enabled ? "ENABLED" : "DISABLED",
            });
            return;
        }

        if (!external.Enabled)
        {
            await ErrorAsync(http, 400, "InvalidStateException");
            return;
        }

        var aad = request["additionalAuthenticatedData"] is { } a ? Convert.FromBase64String(a.GetValue<string>()) : [];
        using var gcm = new AesGcm(external.Key, 16);
        if (action == "encrypt")
        {
            var plaintext = Convert.FromBase64String(request["plaintext"]!.GetValue<string>());
            EncryptedPlaintexts.Add(plaintext);
            var iv = RandomNumberGenerator.GetBytes(12);
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[16];
            gcm.Encrypt(iv, plaintext, ciphertext, tag, aad);
            var integrity = SHA256.HashData([.. aad, .. iv, .. ciphertext, .. tag]);
            if (Mode == ProxyMode.WrongIntegrityValue)
            {
                integrity[0] ^= 1;
            }

            await JsonAsync(http, new JsonObject
            {
                ["ciphertext"] = Convert.ToBase64String(ciphertext),
                ["initializationVector"] = Convert.ToBase64String(iv),
                ["authenticationTag"] = Convert.ToBase64String(tag),
                ["ciphertextDataIntegrityValue"] = Convert.ToBase64String(integrity),
            });
            return;
        }

        var sealedBytes = Convert.FromBase64String(request["ciphertext"]!.GetValue<string>());
        var opened = new byte[sealedBytes.Length];
        try
        {
            gcm.Decrypt(
                Convert.FromBase64String(request["initializationVector"]!.GetValue<string>()),
                sealedBytes,
                Convert.FromBase64String(request["authenticationTag"]!.GetValue<string>()),
                opened,
                aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            await ErrorAsync(http, 400, "InvalidCiphertextException");
            return;
        }

        if (Mode == ProxyMode.ForeignPlaintext)
        {
            opened = RandomNumberGenerator.GetBytes(opened.Length);
        }

        await JsonAsync(http, new JsonObject { ["plaintext"] = Convert.ToBase64String(opened) });
    }

    /// <summary>SigV4 as Appendix A of the specification describes it, computed here without the server's code.</summary>
    private static bool SignatureIsValid(HttpRequest request, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        var date = request.Headers["X-Amz-Date"].ToString();
        const string prefix = "AWS4-HMAC-SHA256 Credential=";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal) || date.Length != 16)
        {
            return false;
        }

        var fields = authorization[prefix.Length..].Split(", ");
        var scope = fields[0].Split('/');
        if (fields.Length != 3 || scope.Length != 5 || scope[0] != AccessKeyId || scope[1] != date[..8] || scope[3] != "kms-xks-proxy" || scope[4] != "aws4_request"
            || fields[1] != "SignedHeaders=host;x-amz-date")
        {
            return false;
        }

        var when = DateTimeOffset.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if ((DateTimeOffset.UtcNow - when).Duration() > TimeSpan.FromMinutes(5))
        {
            return false;
        }

        var canonical = $"POST\n{request.Path}\n\nhost:{request.Host}\nx-amz-date:{date}\n\nhost;x-amz-date\n{Convert.ToHexStringLower(SHA256.HashData(body))}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{date}\n{string.Join('/', scope[1..])}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signingKey = Encoding.UTF8.GetBytes("AWS4" + Secret);
        foreach (var part in (string[])[scope[1], scope[2], scope[3], scope[4]])
        {
            signingKey = HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(part));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(fields[2].Replace("Signature=", "", StringComparison.Ordinal)));
    }

    private static Task ErrorAsync(HttpContext http, int status, string name)
    {
        http.Response.StatusCode = status;
        return JsonAsync(http, new JsonObject { ["errorName"] = name });
    }

    private static async Task JsonAsync(HttpContext http, JsonObject body)
    {
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(new JsonSerializerOptions()), http.RequestAborted);
    }
}
