using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.WebConsole;

/// <summary>
/// The web console's static files at <c>/console/</c>, embedded in the server (no CDN, nothing read
/// from disk at run time). The console has no back door: its pages sign KMS and CloudTrail requests
/// in the browser (SigV4 over WebCrypto) and send them to <c>POST /</c> like any SDK, so every read
/// and change is authenticated, authorized and audited as the signed-in principal. This route only
/// serves files; it reads no credential and reaches no key.
/// </summary>
internal static class ConsoleEndpoints
{
    /// <summary>The path the console is served under.</summary>
    public const string Prefix = "/console";

    /// <summary>
    /// Scripts and styles from this origin only (no inline script, so an injected tag runs nothing),
    /// requests to this origin only, no framing (clickjacking), no forms or base URL elsewhere.
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, ConsoleFile> Files = Load();

    public static void Map(WebApplication app) =>
        app.MapGet(Prefix + "/{**path}", (HttpContext http, string? path) => ServeAsync(http, path));

    private static Task ServeAsync(HttpContext http, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            // The route matches /console and /console/; relative URLs in index.html resolve against /console/ only.
            if (!http.Request.Path.Value!.EndsWith('/'))
            {
                Secure(http);
                http.Response.Redirect(Prefix + "/");
                return Task.CompletedTask;
            }

            path = "index.html";
        }

        return ServeFileAsync(http, path);
    }

    private static Task ServeFileAsync(HttpContext http, string path)
    {
        var response = http.Response;
        Secure(http);
        if (!Files.TryGetValue(path, out var file))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            return response.WriteAsync($"Not found: {Prefix}/{path} is not a file of the console.\n", http.RequestAborted);
        }

        response.Headers.ETag = file.ETag;
        if (http.Request.Headers.IfNoneMatch == file.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = file.ContentType;
        response.ContentLength = file.Content.Length;
        return response.Body.WriteAsync(file.Content, http.RequestAborted).AsTask();
    }

    /// <summary>The headers of every console response, the redirect and 404 included.</summary>
    private static void Secure(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (http.Request.IsHttps || Hosting.DevRequestGuard.IsLoopback(http.Request.Host))
        {
            // No window of another origin keeps a handle on the console. Browsers ignore the header
            // (with a console error) on an origin that is not potentially trustworthy.
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
        }

        headers["Cross-Origin-Resource-Policy"] = "same-origin";

        // Revalidated on every load (ETag), so an upgraded server never runs a stale script.
        headers.CacheControl = "no-cache";
    }

    private static FrozenDictionary<string, ConsoleFile> Load()
    {
        const string ResourcePrefix = "console/";
        var assembly = typeof(ConsoleEndpoints).Assembly;
        var files = new Dictionary<string, ConsoleFile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            files[name[ResourcePrefix.Length..]] = new ConsoleFile(content, ContentTypeOf(name), etag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private sealed record ConsoleFile(byte[] Content, string ContentType, string ETag);
}
